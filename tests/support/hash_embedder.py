"""A test double of the face embedder: no dlib, any bytes are a "photo".

Kept out of the product on purpose: behind a flag it could enrol a real watchlist with
random vectors. Tests pass it where the code takes a ``PhotoEmbedder``.
"""

from __future__ import annotations

import hashlib

import numpy as np

from kuzet.faces.templates import Enrolment


class HashPhotoEmbedder:
    """Synthetic: a unit vector seeded by the photo bytes (scale tests and benchmarks
    only). Photos starting with ``b"BAD"`` are refused, to exercise rejection paths."""

    name = "dlib"  # stands in for dlib's 128-d templates
    dim = 128

    def enrol(self, photo: bytes) -> Enrolment:
        if photo.startswith(b"BAD"):
            return Enrolment(None, {}, "no face found")
        seed = int.from_bytes(hashlib.sha256(photo).digest()[:8], "little")
        v = np.random.default_rng(seed).standard_normal(128).astype(np.float32)
        return Enrolment(v / np.linalg.norm(v), {"synthetic": True}, None)


class OtherHashPhotoEmbedder:
    """A second synthetic embedder (another space and size), standing in for a change of
    ``faces.embedder``; refuses photos starting with ``b"OLD"`` (as if too small for it)."""

    name, dim = "other", 256

    def enrol(self, photo: bytes) -> Enrolment:
        if photo.startswith(b"OLD"):
            return Enrolment(None, {}, "face too small")
        v = np.frombuffer(hashlib.sha256(photo).digest() * 8, np.uint8)[:256] - 127.5
        return Enrolment((v / np.linalg.norm(v)).astype(np.float32), {"other": True}, None)
