"""Where recorded segments live: a local disk by default, S3-compatible storage at city scale.

See :mod:`kuzet.storage.base` for the contract every volume keeps.
"""

from kuzet.storage.base import (
    Location,
    StorageError,
    StorageFull,
    StorageUnavailable,
    Volume,
    check_key,
)
from kuzet.storage.factory import AnyVolume, open_volume
from kuzet.storage.local import LocalVolume
from kuzet.storage.s3 import S3Volume

__all__ = [
    "AnyVolume",
    "LocalVolume",
    "Location",
    "S3Volume",
    "StorageError",
    "StorageFull",
    "StorageUnavailable",
    "Volume",
    "check_key",
    "open_volume",
]
