"""Devices beside the cameras: SOS buttons, fire panels, doors, sirens, speakers (issue 15)."""
