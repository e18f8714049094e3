"""Licence-plate reading on vehicle tracks (docs/plates.md): find, rectify, recognise, parse, vote."""
