"""Site config of face matching and watchlists (off by default: biometrics are opt-in).

Keys are never in the site file: only the names of the environment variables that
hold them (``KUZET_FACE_KEYS``) or point at a key file (``KUZET_FACE_KEY_FILE``).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FaceQualityConfig(_Strict):
    """Minimum face quality; enrolment is stricter than live cameras (docs/faces.md)."""

    enrol_min_eye_px: float = Field(18.0, gt=0, description="pixels between the eyes")
    enrol_min_sharpness: float = Field(20.0, ge=0, description="Laplacian variance, 112 px")
    enrol_max_yaw: float = Field(0.35, gt=0, le=1, description="nose offset / eye distance")
    live_min_eye_px: float = Field(12.0, gt=0)
    live_min_sharpness: float = Field(12.0, ge=0)
    live_max_yaw: float = Field(0.4, gt=0, le=1)


# ---------------------------------------------------------------- face embedders
class _EmbedderBase(_Strict):
    threshold: float | None = Field(
        None,
        gt=-1,
        lt=1,
        description="cosine threshold measured for this embedder; None: faces.default_threshold",
    )


class DlibEmbedderConfig(_EmbedderBase):
    """dlib's 128-d ResNet on its own 5-point chip (face-recognition-models)."""

    type: Literal["dlib"] = "dlib"


class FaceResEmbedderConfig(_EmbedderBase):
    """FaceRes / FaceRes-deep (human-models): the 1024-d global pooling before the heads."""

    type: Literal["faceres", "faceres_deep"] = "faceres"
    crop_scale: float | None = Field(
        None,
        gt=0.2,
        le=1.5,
        description="face size in its 224 px aligned crop, 1 = ArcFace; None: as measured",
    )


class MobileFaceNetEmbedderConfig(_EmbedderBase):
    """MobileFaceNet (human-models, 192-d) on the 112 px ArcFace-aligned face."""

    type: Literal["mobilefacenet"] = "mobilefacenet"


class MobileFaceEmbedderConfig(_EmbedderBase):
    """MobileFace (human-models, becauseofAI, 256-d) on the 112 px ArcFace-aligned face."""

    type: Literal["mobileface"] = "mobileface"


class OnnxArcFaceEmbedderConfig(_EmbedderBase):
    """Any ArcFace-format ONNX model (InsightFace recognition models and the like): a
    112x112 face aligned on five landmarks, RGB, (x - 127.5) / 127.5, NCHW in, one
    embedding out. A licensed model the city provides; its threshold must be measured."""

    type: Literal["onnx_arcface"] = "onnx_arcface"
    path: str = Field(..., description="the .onnx file")
    name: str = Field("onnx_arcface", min_length=1, description="stored with every template")
    threshold: float | None = Field(..., gt=-1, lt=1, description="measured for this model")
    input_size: int = Field(112, ge=32, le=640)
    mean: float = 127.5
    std: float = 127.5
    rgb: bool = True


EmbedderConfig = Annotated[
    DlibEmbedderConfig
    | FaceResEmbedderConfig
    | MobileFaceNetEmbedderConfig
    | MobileFaceEmbedderConfig
    | OnnxArcFaceEmbedderConfig,
    Field(discriminator="type"),
]


class FacesConfig(_Strict):
    enabled: bool = Field(False, description="run face matching on person tracks")
    keys_env: str = Field("KUZET_FACE_KEYS", description="env var: 'id:base64,...'")
    key_file_env: str = Field("KUZET_FACE_KEY_FILE", description="env var naming a key file")
    retention_days: int = Field(
        30, ge=1, description="face data of people on no list is deleted after this"
    )
    default_threshold: float = Field(
        0.963,
        gt=0,
        lt=1,
        description="cosine, dlib: FMR 0.1 % on the tuning faces (docs/faces.md); lists of"
        " many people need stricter (watchlist false_alert_target)",
    )
    search_threshold: float = Field(0.85, gt=0, lt=1, description="retrospective search")
    hit_cooldown_s: float = Field(60.0, ge=0, description="per person and camera")
    quality: FaceQualityConfig = Field(default_factory=FaceQualityConfig)
    embedder: EmbedderConfig = Field(
        default_factory=DlibEmbedderConfig,
        description="face template model (kuzet.faces.embedders); templates of another are"
        " refused by the gallery",
    )
    clothing_colours: bool = Field(
        False,
        description="name upper/lower clothing colours of person tracks (works without faces;"
        " every frame is then analysed, the motion gate is bypassed)",
    )
    index: Literal["faiss", "pgvector"] = Field(
        "faiss",
        description="where templates are searched; pgvector (PostgreSQL store only) keeps"
        " them unencrypted in the database, see docs/faces.md",
    )
    gender: bool = Field(
        False,
        description="add gender (from the face, FaceRes) to person_attributes events; needs"
        " enabled and clothing_colours",
    )

    age: bool = Field(
        False,
        description="removed (issue 13): the age band could not be measured on faces not"
        " used to choose it (docs/faces.md); true is refused",
    )

    @model_validator(mode="after")
    def _demographics_need_faces(self) -> Self:
        if self.age:
            raise ValueError(
                "faces.age was removed: no face of known age is left that was not used to"
                " choose the age model, so its accuracy is unknown (docs/faces.md, Age)"
            )
        for name in ("gender",):
            if getattr(self, name) and not (self.enabled and self.clothing_colours):
                raise ValueError(f"faces.{name} needs faces.enabled and faces.clothing_colours")
        return self
