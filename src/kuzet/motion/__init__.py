"""Motion gate: skip the detector on still scenes, and tell the reader when to idle."""

from kuzet.motion.gate import MotionGate, MotionResult
from kuzet.motion.schedule import Decision, DetectSchedule, Why

__all__ = ["Decision", "DetectSchedule", "MotionGate", "MotionResult", "Why"]
