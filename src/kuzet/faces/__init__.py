"""Faces: detection, quality, embedding, watchlists, vector index, matching, privacy."""
