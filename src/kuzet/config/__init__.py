"""The site model (pydantic) and its YAML loader with line-numbered errors."""

from kuzet.config.loader import ConfigError, load_site, parse_site
from kuzet.config.models import (
    AnalysisConfig,
    ApiConfig,
    BusConfig,
    CameraCategory,
    CameraConfig,
    DetectorConfig,
    MemoryBusConfig,
    MotionConfig,
    NanoDetConfig,
    NatsBusConfig,
    RuleConfig,
    SiteConfig,
    StoreConfig,
    YoloConfig,
)
from kuzet.config.rules import IntrusionRuleConfig, SceneRuleSetConfig

__all__ = [
    "AnalysisConfig",
    "ApiConfig",
    "BusConfig",
    "CameraCategory",
    "CameraConfig",
    "ConfigError",
    "DetectorConfig",
    "IntrusionRuleConfig",
    "MemoryBusConfig",
    "MotionConfig",
    "NanoDetConfig",
    "NatsBusConfig",
    "RuleConfig",
    "SceneRuleSetConfig",
    "SiteConfig",
    "StoreConfig",
    "YoloConfig",
    "load_site",
    "parse_site",
]
