"""`kuzet rules replay` on bad input: a clear message (file, line, field), exit code != 0,
never a traceback, and an existing --out left as it was."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kuzet.cli import app
from kuzet.config.rules import SceneRuleSetConfig
from kuzet.rules import replay as replay_mod
from kuzet.rules.replay import read_tracks, replay

runner = CliRunner()
SCENE = """\
lines:
  - name: gate
    points: [[100, 0], [100, 200]]
    in_point: [150, 100]
rules:
  - type: line_crossing
    name: gate_count
    line: gate
"""


def walker(tid: int, frames: range, x0: float = 40.0, dx: float = 10.0, cls: int = 0) -> list[str]:
    """MOT rows of one box walking right along y = 150 (foot), 20x40 pixels."""
    return [f"{f},{tid},{x0 + dx * (f - frames[0])},110,20,40,0.9,{cls},-1,-1" for f in frames]


def invoke(tmp_path: Path, tracks: Path | str, *extra: str, scene: str = SCENE):  # type: ignore[no-untyped-def]
    (tmp_path / "scene.yaml").write_text(scene)
    args = ["rules", "replay", str(tracks), "--scene", str(tmp_path / "scene.yaml")]
    if "--out" not in extra:
        extra = ("--out", str(tmp_path / "events.jsonl"), *extra)
    return runner.invoke(app, [*args, "--fps", "5", *extra])


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def test_no_track_of_the_rules_classes_fails_and_names_the_classes_seen(tmp_path: Path) -> None:
    cars = write(tmp_path / "t.txt", walker(1, range(1, 16), cls=2) + walker(2, range(1, 9), cls=7))
    out = tmp_path / "ev.jsonl"
    res = invoke(tmp_path, cars, "--out", str(out))
    assert res.exit_code == 2, res.output
    assert "no track of the classes the rules watch (person)" in res.output
    assert "car (15 rows)" in res.output and "truck (8 rows)" in res.output
    assert "Traceback" not in res.output and not out.exists()


def test_a_huge_frame_number_does_not_replay_every_missing_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = walker(1, range(1, 16)) + walker(2, range(100_000_000, 100_000_016))
    path = write(tmp_path / "t.txt", rows)
    seen: list[int] = []
    real = replay_mod.SceneEngine.update

    def counting(self, frame, tracks, labels):  # type: ignore[no-untyped-def]
        seen.append(frame.index)
        if len(seen) > 10_000:
            raise AssertionError("replays the gap frame by frame")
        return real(self, frame, tracks, labels)

    monkeypatch.setattr(replay_mod.SceneEngine, "update", counting)
    cfg = SceneRuleSetConfig.model_validate(yaml.safe_load(SCENE))
    events = list(replay(cfg, read_tracks(path), 5.0))
    crossings = [(e.track_id, e.pts) for e in events if e.type == "line_crossing"]
    # both walkers cross x = 100 on their 7th frame; frame n is at (n - 1) / fps
    assert crossings == [(1, pytest.approx(1.2)), (2, pytest.approx((100_000_006 - 1) / 5))]
    assert len(seen) < 200


def test_a_folder_or_an_unwritable_out_is_a_clear_error(tmp_path: Path) -> None:
    res = invoke(tmp_path, tmp_path)
    assert res.exit_code == 2 and "is a folder" in res.output, res.output
    tracks = write(tmp_path / "t.txt", walker(1, range(1, 16)))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for out in (blocker / "ev.jsonl", tmp_path):  # parent is a file; out is a folder
        res = invoke(tmp_path, tracks, "--out", str(out))
        assert res.exit_code == 2, res.output
        assert "--out" in res.output and "Traceback" not in res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("3,1,abc,110,20,40,0.9,0,-1,-1", "t.txt:3: left: 'abc' is not a number"),
        ("3,1,60,110", "t.txt:3: expected frame,id,left,top,width,height"),
        ("x,1,60,110,20,40,0.9,0,-1,-1", "t.txt:3: frame: 'x' is not a number"),
        ("3,1,60,110,20,40,0.9,zz,-1,-1", "t.txt:3: class: 'zz' is not a number"),
        ("3,1,60,110,-20,40,0.9,0,-1,-1", "t.txt:3: width: must not be negative"),
        ("-1,1,60,110,20,40,0.9,0,-1,-1", "t.txt:3: frame: must be 0 or more"),
    ],
)
def test_mot_parse_errors_name_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    rows = [*walker(1, range(1, 3)), line, *walker(1, range(4, 8))]
    res = invoke(tmp_path, write(tmp_path / "t.txt", rows))
    assert res.exit_code == 2, res.output
    assert message in res.output.replace("\n", " ")


def test_jsonl_errors_name_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"frame": 1, "id": 1, "box": [0, 0, 10, 10]}\n{"frame": 2, "id": 1}\n')
    res = invoke(tmp_path, path)
    assert res.exit_code == 2 and "t.jsonl:2:" in res.output and "box" in res.output


def test_a_failed_run_leaves_an_existing_out_untouched(tmp_path: Path) -> None:
    out = tmp_path / "ev.jsonl"
    out.write_text("previous results\n")
    bad = write(tmp_path / "t.txt", [*walker(1, range(1, 16)), "16,1,oops,110,20,40,0.9,0"])
    assert invoke(tmp_path, bad, "--out", str(out)).exit_code == 2
    assert out.read_text() == "previous results\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("ev")] == ["ev.jsonl"]
    good = write(tmp_path / "t.txt", walker(1, range(1, 16)))
    assert invoke(tmp_path, good, "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text().splitlines()[0])["type"] == "line_crossing"


def test_duplicate_frame_and_id_rows_are_an_error_not_a_crossing(tmp_path: Path) -> None:
    rows = walker(1, range(1, 6))
    rows.insert(3, "3,1,140,110,20,40,0.9,0,-1,-1")  # id 1 twice in frame 3, either side
    res = invoke(tmp_path, write(tmp_path / "t.txt", rows))
    assert res.exit_code == 2, res.output
    assert "t.txt:4: frame 3: track id 1 appears twice (first on line 3)" in res.output
    unsorted = list(reversed(rows))  # same in a file sorted by id, not by frame
    res = invoke(tmp_path, write(tmp_path / "u.txt", unsorted))
    assert res.exit_code == 2 and "track id 1 appears twice" in res.output


def test_forget_after_below_one_frame_is_an_error(tmp_path: Path) -> None:
    tracks = write(tmp_path / "t.txt", walker(1, range(1, 16)))
    scene = SCENE + "    forget_after_s: 0.1\n"
    res = invoke(tmp_path, tracks, scene=scene)
    assert res.exit_code == 2, res.output
    assert "rules[0] (gate_count).forget_after_s: 0.1 s is shorter than one frame" in res.output
    # the same frames every other number (step 2): one step is 0.4 s at 5 fps
    sparse = write(tmp_path / "s.txt", walker(1, range(1, 30, 2)))
    res = invoke(tmp_path, sparse, scene=SCENE + "    forget_after_s: 0.3\n")
    assert res.exit_code == 2 and "(0.4 s" in res.output


def test_unsorted_tracks_replay_like_sorted_ones(tmp_path: Path) -> None:
    rows = walker(1, range(1, 16)) + walker(2, range(3, 18), x0=180, dx=-10)
    a = invoke(tmp_path, write(tmp_path / "a.txt", rows), "--out", str(tmp_path / "a.jsonl"))
    rows.sort(key=lambda r: (int(r.split(",")[1]), -int(r.split(",")[0])))  # by id, frames back
    b = invoke(tmp_path, write(tmp_path / "b.txt", rows), "--out", str(tmp_path / "b.jsonl"))
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    evs = (tmp_path / "a.jsonl").read_text()
    assert evs == (tmp_path / "b.jsonl").read_text()
    assert [json.loads(x)["track_id"] for x in evs.splitlines()] == [1, 2]


def _peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        for _ in read_tracks(path):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_replay_streams_the_file(tmp_path: Path) -> None:
    """Memory does not grow with the file: 20x the frames, about the same peak."""

    def rows(n: int) -> list[str]:
        return [f"{f},{f % 7},10,10,20,40,0.9,0,-1,-1" for f in range(1, n + 1)]

    small = _peak_bytes(write(tmp_path / "small.txt", rows(2_000)))
    big = _peak_bytes(write(tmp_path / "big.txt", rows(40_000)))
    assert big < 2 * small + 200_000, (small, big)
