"""intrusion, loitering, crowd; schedules at their boundaries; cooldown and de-duplication."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.rules.helpers import run, run_events, scene

ZONE = {"name": "yard", "points": [[0, 0], [200, 0], [200, 200], [0, 200]]}
ALMATY = ZoneInfo("Asia/Almaty")
IN, OUT = (1, 100, 100), (1, 400, 100)


def cfg(*rules: dict, **kw: object):  # type: ignore[no-untyped-def]
    return scene(zones=[ZONE], rules=list(rules), **kw)


def intrusion(**kw: object) -> dict:
    return {"type": "intrusion", "name": "i", "zone": "yard", "exit_after_s": 1.0, **kw}


def test_intrusion_start_end_and_short_loss() -> None:
    script = [[IN]] * 4 + [[]] * 3 + [[IN]] * 2 + [[OUT]] * 8
    # in 0..3, lost 0.6 s (< 1 s grace), in 7..8, out: last in t=1.6 -> end when t > 2.6
    assert run(cfg(intrusion()), script) == [(1, "i", "start", 1), (14, "i", "end", 1)]
    end = run_events(cfg(intrusion()), script)[-1]
    assert end.attributes == {"zone": "yard", "dwell_s": 1.6, "reason": "left"}


def test_stray_frames_and_other_classes_never_fire() -> None:
    script = [[IN], [OUT], [IN], [OUT], [IN], [OUT]]
    assert run(cfg(intrusion()), script) == []
    assert run(cfg(intrusion()), [[(1, 100, 100, "dog")]] * 5) == []
    assert run(cfg(intrusion(min_score=0.5)), [[(1, 100, 100, "person", 0.4)]] * 5) == []


def test_end_of_stream_flush() -> None:
    evs = run_events(cfg(intrusion()), [[IN]] * 3, finish=True)
    assert [(e.phase, e.attributes.get("reason")) for e in evs] == [
        ("start", None),
        ("end", "end_of_stream"),
    ]


def _t(s: str) -> float:
    return datetime.fromisoformat(s).replace(tzinfo=ALMATY).timestamp()


SCHOOL = {
    "name": "after_hours",
    "windows": [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "18:00", "end": "08:00"},
        {"days": ["sat", "sun"], "start": "00:00", "end": "00:00"},
    ],
    "holidays": ["2025-03-21"],
}


def test_schedule_arms_at_18_00_local_while_someone_is_inside() -> None:
    c = cfg(intrusion(schedule="after_hours"), schedules=[SCHOOL])
    # Wednesday 2025-01-15, 1 fps from 17:59:57 Almaty: 18:00:00 is frame 3
    got = run(c, [[IN]] * 6, fps=1.0, t0=_t("2025-01-15T17:59:57"))
    assert got == [(4, "i", "start", 1)]  # two consecutive armed frames: 18:00:00, 18:00:01


def test_schedule_disarms_at_08_00_and_the_episode_ends() -> None:
    c = cfg(intrusion(schedule="after_hours"), schedules=[SCHOOL])
    got = run(c, [[IN]] * 8, fps=1.0, t0=_t("2025-01-16T07:59:57"))
    # armed 07:59:57..59 (frames 0-2): start at 1; disarmed from 08:00:00 (frame 3), end after 1 s
    assert got == [(1, "i", "start", 1), (4, "i", "end", 1)]


def test_schedule_over_midnight_weekend_and_holiday() -> None:
    from kuzet.config.rules import ScheduleConfig
    from kuzet.rules.schedule import Schedule

    s = Schedule(ScheduleConfig.model_validate(SCHOOL))
    night = Schedule(
        ScheduleConfig.model_validate(
            {
                "name": "n",
                "windows": [{"days": ["fri"], "start": "22:00", "end": "02:00"}],
                "holidays": ["2025-01-18"],
                "on_holidays": "inactive",
            }
        )
    )
    cases = {
        (s, "2025-01-15T12:00:00"): False,  # Wednesday, school hours
        (s, "2025-01-15T23:59:59"): True,
        (s, "2025-01-16T00:00:00"): True,  # past midnight, Wednesday's window
        (s, "2025-01-16T07:59:59"): True,
        (s, "2025-01-16T08:00:00"): False,
        (s, "2025-01-18T12:00:00"): True,  # Saturday
        (s, "2025-03-21T12:00:00"): True,  # Nauryz holiday, a Friday: watched all day
        (s, "2025-03-20T12:00:00"): False,
        (night, "2025-01-17T21:59:59"): False,  # Friday
        (night, "2025-01-17T22:00:00"): True,
        (night, "2025-01-18T00:00:00"): False,  # Saturday is a holiday here: disarmed
        (night, "2025-01-25T01:59:59"): True,  # the next Saturday, Friday's window
        (night, "2025-01-25T02:00:00"): False,
        (night, "2025-01-23T23:00:00"): False,  # Thursday
    }
    got = {k: sch.active(_t(k_t)) for (sch, k_t), _ in cases.items() for k in [(sch, k_t)]}
    assert got == cases


def test_cooldown_per_track_drops_start_and_its_end() -> None:
    c = cfg(intrusion(cooldown_s=5.0))
    visit = [[IN]] * 3 + [[OUT]] * 7  # start at 1, end at 8 (last in 0.4 s, grace 1 s)
    got = run(c, visit * 3)
    # second visit starts at t=2.2 s (< 5 s after 0.2): dropped with its end; third at 4.2 too;
    assert got == [(1, "i", "start", 1), (8, "i", "end", 1)]
    got = run(c, visit + [[OUT]] * 20 + visit)
    assert got == [
        (1, "i", "start", 1),
        (8, "i", "end", 1),
        (31, "i", "start", 1),
        (38, "i", "end", 1),
    ]


def test_dedup_per_rule_silences_other_tracks_too() -> None:
    script = [[IN]] * 3 + [[(2, 50, 50)]] * 6
    # track 1 last in at t=0.4: its end at t=1.6 (frame 8); track 2 starts at frame 4
    assert run(cfg(intrusion(cooldown_s=5.0)), script) == [
        (1, "i", "start", 1),
        (4, "i", "start", 2),
        (8, "i", "end", 1),
    ]
    assert run(cfg(intrusion(cooldown_s=5.0, dedup="rule")), script) == [
        (1, "i", "start", 1),
        (8, "i", "end", 1),
    ]


def test_loitering_tolerates_loss_and_reports_dwell() -> None:
    lo = {
        "type": "loitering",
        "name": "lo",
        "zone": "yard",
        "min_dwell_s": 3.0,
        "exit_after_s": 2.0,
    }
    script = [[IN]] * 10 + [[]] * 5 + [[IN]] * 10 + [[]] * 12
    evs = run_events(cfg(lo), script)
    # first in t=0; the 1 s gap < 2 s grace keeps the dwell; after the gap two consecutive
    # frames are needed again (min_frames=2): start at frame 16 (dwell 3.2 s); last in t=4.8
    assert [(round(e.pts * 5), e.phase) for e in evs] == [(16, "start"), (35, "end")]
    assert evs[0].attributes["dwell_s"] == 3.2 and evs[1].attributes["dwell_s"] == 4.8


def test_crowd_needs_count_for_duration() -> None:
    cr = {
        "type": "crowd",
        "name": "cr",
        "zone": "yard",
        "min_count": 3,
        "min_duration_s": 1.0,
        "exit_after_s": 1.0,
    }
    three = [(1, 10, 10), (2, 50, 50), (3, 90, 90)]
    script = [three[:2]] * 5 + [three] * 8 + [three[:2]] * 8
    evs = run_events(cfg(cr), script)
    assert [(round(e.pts * 5), e.phase, e.track_id) for e in evs] == [
        (10, "start", None),
        (18, "end", None),
    ]
    assert evs[0].attributes["count"] == 3
