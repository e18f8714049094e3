"""Kuzet talking to other systems: signed outbound webhooks with a dead-letter list,
Frigate-style MQTT topics, CAP 1.2 messages for emergency dispatch, ONVIF cameras
(discovery, profiles, stream URIs, PTZ) and camera import from CSV (docs/integrations.md)."""
