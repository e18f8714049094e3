"""The plate settings the plate benches run with: the site defaults, or the detection
side and early stop given on the command line (to measure them against each other)."""

from __future__ import annotations

import argparse

from kuzet.config.plates import OcrFinderConfig, PlatesConfig


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--det-side", type=int, default=None, help="finder.det_side (site default)")
    ap.add_argument("--stop", default=None, help="stop_confidence, or 'none' (site default)")


def settings(a: argparse.Namespace) -> PlatesConfig:
    cfg = PlatesConfig(enabled=True)
    if a.det_side is not None:
        cfg.finder = OcrFinderConfig(det_side=a.det_side)
    if a.stop is not None:
        cfg.stop_confidence = None if a.stop == "none" else float(a.stop)
    side = cfg.finder.det_side if isinstance(cfg.finder, OcrFinderConfig) else None
    print(f"det_side {side}, stop_confidence {cfg.stop_confidence}")
    return cfg
