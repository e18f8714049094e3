"""``python -m kuzet`` is the ``kuzet`` command."""

from kuzet.cli import app

app()
