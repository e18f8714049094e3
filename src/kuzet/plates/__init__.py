"""Licence-plate reading on vehicle tracks (docs/plates.md): find, rectify, read, parse, vote."""
