"""Schemathesis over the playback, export and bookmark routes of an app that records:
random input gets a clear 4xx, never a 5xx, and every answer fits the schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance
from tests.api.test_playback import Site, h264_clip, site

__all__ = ["h264_clip", "site"]
MAX_EXAMPLES = 15
MINE = ("/api/recordings", "/api/exports", "/api/bookmarks", "/api/evidence")


def test_playback_routes_contract(site: Site) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", site.city.app)
    ops = [r.ok() for r in schema.get_all_operations()]
    ops = [op for op in ops if op.path.startswith(MINE)]
    assert len(ops) >= 14
    failures: dict[str, str] = {}
    for op in ops:

        @given(case=op.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
        def run(case: Case) -> None:
            case.call_and_validate(
                headers=site.city.h("investigator"), excluded_checks=[positive_data_acceptance]
            )

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures[op.label] = str(exc)[:1500]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
