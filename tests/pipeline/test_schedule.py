from kuzet.config import MotionConfig
from kuzet.pipeline.schedule import DetectSchedule


def test_motion_refresh_and_idle() -> None:
    s = DetectSchedule(MotionConfig(refresh_s=2.0, idle_after_s=5.0))
    seq = [(0.0, False), (0.5, False), (1.0, True), (1.5, False), (3.0, False), (3.6, False)]
    got = [(s.decide(t, m).detect) for t, m in seq]
    # first frame always; motion at 1.0; refresh 2 s after the last detection (3.0)
    assert got == [True, False, True, False, True, False]
    assert not s.decide(5.9, False).idle  # last motion at 1.0 -> idle from 6.0
    assert s.decide(6.0, False).idle
    assert not s.decide(6.2, True).idle  # motion wakes it


def test_disabled_gate_detects_every_frame() -> None:
    s = DetectSchedule(MotionConfig(enabled=False))
    assert all(s.decide(t / 5, False).detect for t in range(10))
    assert not s.decide(100.0, False).idle
