"""Traffic violations an officer reviews and signs: evidence packages (frames, plate,
signal, speed, camera, clock, SHA-256 of every part), per-officer Ed25519 keys, the
review queue and signed export (docs/violations.md)."""
