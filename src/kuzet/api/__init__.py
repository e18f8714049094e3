"""HTTP and WebSocket API over the store and the bus; see :func:`create_app`."""

from kuzet.api.app import create_app

__all__ = ["create_app"]
