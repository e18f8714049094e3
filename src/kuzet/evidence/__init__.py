"""Evidence: playback of recordings, signed exports, timeline bookmarks (issue 10).

:class:`Evidence` is what the service builds next to its ``Recording`` and hands to the
API (``create_app(evidence=...)``). The package imports lazily: the migrations import
``kuzet.evidence.tables`` and need neither PyAV nor OpenCV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kuzet.evidence.service import Evidence

__all__ = ["Evidence"]


def __getattr__(name: str) -> Any:
    if name == "Evidence":
        from kuzet.evidence.service import Evidence

        return Evidence
    raise AttributeError(name)
