"""A finite file ends: open episodes of the scene's rules are closed by the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kuzet.config import SiteConfig
from kuzet.config.loader import parse_site
from kuzet.pipeline.analyze import analyze_file

pytestmark = pytest.mark.slow

SITE = """
cameras:
  - id: clip
    main_url: unused
    rules:
      - type: scene
        rules:
          - {type: intrusion, name: anyone, classes: [person]}
"""


def test_open_intrusions_end_at_end_of_stream(tmp_path: Path, vtest_clip: Path) -> None:
    site: SiteConfig = parse_site(SITE)
    out = tmp_path / "events.jsonl"
    stats = analyze_file(str(vtest_clip), out, site)
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert stats.events == len(events) > 0
    starts = {e["track_id"] for e in events if e["phase"] == "start"}
    ends = {e["track_id"] for e in events if e["phase"] == "end"}
    assert starts == ends  # every episode that started was closed
    last = events[-1]
    assert last["phase"] == "end" and last["attributes"].get("reason") == "end_of_stream"
