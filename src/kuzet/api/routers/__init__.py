"""One router per concern: cameras, events, live (WebSocket), ops (health, metrics)."""
