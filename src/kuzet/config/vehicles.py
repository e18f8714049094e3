"""Site config of vehicle attributes (colour, type, make/model slot; docs/vehicles.md).

Off by default. No offline make/model weights exist in any registry package: the
make/model classifier is a slot a site fills with its own ONNX file and labels file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_TYPES = {
    "car": "car",
    "truck": "truck",
    "bus": "bus",
    "motorcycle": "motorcycle",
    "bicycle": "bicycle",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MakeModelConfig(_Strict):
    """An image classifier over the vehicle crop, brought by the site as ONNX."""

    model: Path = Field(description="ONNX file: one image input, one (1, n) score output")
    labels: Path = Field(
        description="text file, one label a line in output order: 'Make|Model' or 'Make'"
    )
    input_width: int = Field(224, ge=8, le=1024)
    input_height: int = Field(224, ge=8, le=1024)
    layout: Literal["nchw", "nhwc"] = "nchw"
    channels: Literal["rgb", "bgr"] = "rgb"
    scale: float = Field(1 / 255, gt=0, description="pixel values (0..255) are multiplied first")
    mean: tuple[float, float, float] = Field((0.485, 0.456, 0.406), description="then minus")
    std: tuple[float, float, float] = Field((0.229, 0.224, 0.225), description="then divided")
    output: Literal["logits", "probabilities"] = Field(
        "logits", description="logits get a softmax; probabilities are used as they are"
    )
    separator: str = Field("|", min_length=1, description="between make and model in a label")
    min_confidence: float = Field(
        0.5, ge=0, le=1, description="below this (mean over the looks) no make/model is given"
    )
    threads: int = Field(1, ge=0, description="ONNX Runtime threads; 0 = all cores")

    @field_validator("std")
    @classmethod
    def _nonzero(cls, v: tuple[float, float, float]) -> tuple[float, float, float]:
        if any(s == 0 for s in v):
            raise ValueError("std values must not be 0")
        return v


class VehiclesConfig(_Strict):
    enabled: bool = Field(
        False, description="a vehicle_attributes event (colour, type, make/model) per track"
    )
    types: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_TYPES),
        description="detector label -> vehicle_type; tracks of other labels are not vehicles",
    )
    looks: int = Field(5, ge=1, le=100, description="looks at a track before its event")
    every_n: int = Field(3, ge=1, description="analysed frames between two looks at a track")
    min_width: float = Field(
        32.0, ge=4, description="boxes narrower than this (px) are not looked at"
    )
    forget_after_s: float = Field(
        3.0, gt=0, le=60, description="a track unseen this long ends (its event goes out)"
    )
    make_model: MakeModelConfig | None = Field(
        None, description="ONNX make/model classifier slot; none ships (docs/vehicles.md)"
    )

    @field_validator("types")
    @classmethod
    def _types(cls, v: dict[str, str]) -> dict[str, str]:
        for label, kind in v.items():
            if not label or not kind:
                raise ValueError("types: labels and vehicle types must not be empty")
        return v
