"""Site config of licence-plate reading (``site.plates``; docs/plates.md).

Off by default: plates are personal data (the ``plates`` data class) and reading costs
about 0.1-0.3 s of one core per look at a large vehicle (docs/benchmarks.md); a site
turns it on for its cameras.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Vehicle = Literal["car", "truck", "bus", "motorcycle"]
VEHICLES: tuple[Vehicle, ...] = ("car", "truck", "bus", "motorcycle")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OcrFinderConfig(_Strict):
    """Plates found as text regions by PP-OCR detection (rapidocr's bundled model)."""

    type: Literal["ocr"] = "ocr"
    det_side: int = Field(640, ge=160, le=2048, description="longest side fed to detection")


class OnnxFinderConfig(_Strict):
    """A plate detector the user brings (YOLO-style ONNX, see kuzet.plates.onnx_detector)."""

    type: Literal["onnx"] = "onnx"
    path: Path = Field(description="ONNX file; never downloaded")
    threshold: float = Field(0.4, gt=0, lt=1)
    iou: float = Field(0.5, gt=0, lt=1)
    layout: Literal["yolov8", "yolov5"] = "yolov8"


PlateFinderConfig = Annotated[OcrFinderConfig | OnnxFinderConfig, Field(discriminator="type")]


class PlatesConfig(_Strict):
    enabled: bool = False
    cameras: list[str] | None = Field(None, description="camera ids; None: every camera")
    classes: list[Vehicle] = Field(default_factory=lambda: list(VEHICLES))
    finder: PlateFinderConfig = Field(default_factory=OcrFinderConfig)
    search_top: float = Field(
        0.4, ge=0, lt=1, description="plates are searched below this fraction of the box"
    )
    min_vehicle_height: float = Field(40.0, ge=1, description="px; smaller boxes are not read")
    min_plate_height: float = Field(9.0, ge=1, description="px; lower text is 'too_small'")
    min_aspect: float = Field(1.8, gt=0)
    max_aspect: float = Field(9.0, gt=0)
    min_contrast: float = Field(25.0, ge=0, description="grey-level std of the plate crop")
    min_confidence: float = Field(0.6, ge=0, le=1, description="recogniser confidence")
    stop_confidence: float | None = Field(
        0.9,
        ge=0,
        le=1,
        description="candidates are recognised best-ranked first and the rest skipped once"
        " a grammar-valid read is this sure; None: all in one batch, the surest read wins",
    )
    max_fixes: int = Field(2, ge=0, le=4, description="look-alike replacements per read")
    min_share: float = Field(
        0.6, gt=0.5, le=1, description="vote weight the winning text needs over a track"
    )
    every_n: int = Field(2, ge=1, description="read a track every n-th analysed frame")
    max_reads: int = Field(8, ge=1, description="reads per track at most")
    early_votes: int = Field(
        3, ge=1, description="emit before the track ends once this many reads agree"
    )
    forget_after: int = Field(15, ge=1, description="frames unseen before a track ends")
    emit_unread: bool = Field(True, description="plate_unread events for tracks with no read")
