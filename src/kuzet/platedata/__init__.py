"""Plate data in the store: plate reads, their search, plate watchlists and their matches,
retention and data-subject requests (docs/plates-data.md)."""
