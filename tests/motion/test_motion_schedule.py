from kuzet.config.models import MotionConfig
from kuzet.motion import DetectSchedule, Why


def test_detects_on_motion_refreshes_and_goes_idle() -> None:
    sched = DetectSchedule(MotionConfig(refresh_s=5, idle_after_s=30))
    first = sched.decide(False, 0.0)
    assert first.detect and first.why is Why.REFRESH  # nothing known yet: look once
    assert not sched.decide(False, 1.0).detect
    assert sched.decide(True, 2.0).why is Why.MOTION
    assert not sched.decide(False, 6.8).detect
    assert sched.decide(False, 7.0).why is Why.REFRESH  # 5 s after the last detection
    assert not sched.decide(False, 31.0).idle  # 29 s after the last motion
    late = sched.decide(False, 32.0)
    assert late.idle and not late.detect
    assert sched.decide(False, 36.0).detect  # idle, yet still refreshed every 5 s
    back = sched.decide(True, 33.0)
    assert back.detect and not back.idle


def test_disabled_gate_detects_every_frame_and_never_idles() -> None:
    sched = DetectSchedule(MotionConfig(enabled=False, idle_after_s=1))
    decisions = [sched.decide(False, t / 5) for t in range(50)]
    assert all(d.detect and d.why is Why.DISABLED and not d.idle for d in decisions)
