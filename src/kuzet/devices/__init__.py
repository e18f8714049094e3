"""Devices: SOS buttons, fire panels, doors, sirens ... heard over MQTT or a signed webhook.

The registry (site file + store), the gateway that maps their payloads to bus events with
idempotent ids, and their health (last seen, offline, tamper, battery); the operations
centre's response (an alarm's cameras, commands to sirens, speakers, doors). See
docs/devices.md and docs/devices-response.md.
"""
