"""Persistence: cameras and events in SQL (SQLite or PostgreSQL), snapshots as blobs."""

from kuzet.store.blobs import BlobStore, LocalBlobStore, snapshot_key
from kuzet.store.cursor import InvalidCursor
from kuzet.store.repository import Store
from kuzet.store.sink import EventSink, SinkStats

__all__ = [
    "BlobStore",
    "EventSink",
    "InvalidCursor",
    "LocalBlobStore",
    "SinkStats",
    "Store",
    "snapshot_key",
]
