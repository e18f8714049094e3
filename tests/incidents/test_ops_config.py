"""The operations centre is configured in the site file (routing, SLA, procedures, basemap):
`kuzet config check` validates it and names the line of each mistake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kuzet.config.loader import ConfigError, load_site, parse_site

from .basemap_file import make_basemap

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "site.example.yaml"

BAD = """\
cameras: []
ops:
  routing:
    - event_type: fire
      agency: emergency
      priority: 7
  sla:
    1: {ack_s: 0, resolve_s: 10}
  procedures:
    fire: ["call 101", 42]
  basemap: missing.pmtiles
"""


def test_the_example_site_shows_the_ops_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_0001_PASSWORD", "x")
    site = load_site(EXAMPLE)
    crossing = site.ops.route("line_crossing", "traffic", None)
    assert not crossing.makes_incident("line_crossing")
    assert site.ops.route("fire", "school", None).agency == "emergency"
    assert site.ops.sla[1].ack_s == 60 and len(site.ops.procedures["fire"]) == 2
    assert site.cameras[0].direction_deg == 135


def test_line_crossings_are_informational_unless_a_rule_says_otherwise() -> None:
    ops = parse_site("ops: {routing: [{agency: city-police}]}").ops
    assert not ops.route("line_crossing", None, None).makes_incident("line_crossing")
    assert ops.route("fight", None, None).makes_incident("fight")
    ops = parse_site("ops: {routing: [{agency: x, incident: true}]}").ops
    assert ops.route("line_crossing", None, None).makes_incident("line_crossing")


def test_mistakes_name_their_line() -> None:
    with pytest.raises(ConfigError) as err:
        parse_site(BAD, "bad.yaml")
    problems = err.value.problems
    assert any(p.startswith("line 6: ops.routing[0].priority") for p in problems), problems
    assert any(p.startswith("line 8: ops.sla[1].ack_s") for p in problems), problems
    assert any(p.startswith("line 10: ops.procedures.fire[1]") for p in problems), problems
    assert any(p.startswith("line 11: ops.basemap") and "missing.pmtiles" in p
               for p in problems), problems  # fmt: skip


def test_config_check_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "kuzet", "config", "check"]
    out = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, env=env)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "line 11: ops.basemap" in out.stderr + out.stdout
    good = tmp_path / "good.yaml"
    make_basemap(tmp_path / "city.pmtiles")
    good.write_text(f"ops: {{basemap: {tmp_path / 'city.pmtiles'}}}\n")
    out = subprocess.run([*cmd, str(good)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr


def test_counting_lines_get_no_clip() -> None:
    from datetime import timedelta

    from kuzet.service import clip_policy

    from .conftest import ev

    site = parse_site(
        "cameras: [{id: cam-1, category: traffic, main_url: a.mp4},"
        " {id: cam-2, category: school, main_url: b.mp4}]"
    )
    wants = clip_policy(site)
    assert not wants(ev("cam-1", type="line_crossing"))  # statistics only
    first = ev("cam-1", type="stopped_vehicle")
    assert wants(first)  # starts an incident
    later = ev("cam-1", type="stopped_vehicle")
    assert not wants(later.model_copy(update={"ts": first.ts + timedelta(seconds=5)}))
    assert wants(ev("cam-2", type="loitering"))  # school: high priority


def test_default_procedures_speak_every_interface_language() -> None:
    """The demo city's checklists have their text in Russian, Kazakh and English, so a
    Kazakh console never shows a Russian or English item."""
    from kuzet.config.ops import DEFAULT_PROCEDURES

    for event_type, items in DEFAULT_PROCEDURES.items():
        for n, item in enumerate(items):
            assert isinstance(item, dict), (event_type, n)
            assert {"ru", "kk", "en"} <= item.keys(), (event_type, n, sorted(item))
            assert len({item["ru"], item["kk"], item["en"]}) == 3, (event_type, n)
    # Kazakh has letters Russian lacks; its sentences use some of them
    kk = " ".join(str(i["kk"]) for items in DEFAULT_PROCEDURES.values() for i in items)
    assert len(set(kk) & set("әіңғүұқөһӘІҢҒҮҰҚӨҺ")) >= 3, kk
