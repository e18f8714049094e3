"""Appearance attributes of tracked objects (clothing colours of people)."""
