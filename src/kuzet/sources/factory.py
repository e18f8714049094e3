"""Build a reader from the site config, through the registry so others can plug in."""

from __future__ import annotations

from kuzet.config.models import AnalysisConfig, CameraConfig
from kuzet.core import Registry
from kuzet.sources.backoff import ReconnectPolicy
from kuzet.sources.health import StatusCallback
from kuzet.sources.reader import CameraReader

SOURCES: Registry[CameraReader] = Registry("source")


@SOURCES.register("pyav")
def reader_for(
    camera: CameraConfig,
    analysis: AnalysisConfig,
    *,
    policy: ReconnectPolicy | None = None,
    on_status: StatusCallback | None = None,
    max_width: int | None = None,
    realtime: bool = False,
) -> CameraReader:
    """A reader on the camera's analysis URL (``sub_url`` when set) at its analysis fps."""
    return CameraReader(
        camera.id,
        camera.analysis_url,
        fps=camera.fps or analysis.fps,
        loop=camera.loop,
        policy=policy,
        on_status=on_status,
        max_width=max_width,
        realtime=realtime,
    )
