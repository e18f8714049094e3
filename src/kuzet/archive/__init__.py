"""Forensic search: every finished track as a row of a Parquet track index, searched with
DuckDB by time, camera, class, attributes, a face, and lines or zones drawn after the
fact (docs/archive.md)."""

from kuzet.archive.layout import ArchiveUnavailable, Layout, LocalLayout
from kuzet.archive.model import ArchiveQueryError, TrackHit, TrackPage, TrackQuery
from kuzet.archive.query import TrackIndex
from kuzet.archive.schema import ATTRIBUTES, TrackRow
from kuzet.archive.writer import TrackIndexWriter

__all__ = [
    "ATTRIBUTES",
    "ArchiveQueryError",
    "ArchiveUnavailable",
    "Layout",
    "LocalLayout",
    "TrackHit",
    "TrackIndex",
    "TrackIndexWriter",
    "TrackPage",
    "TrackQuery",
    "TrackRow",
]
