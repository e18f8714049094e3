"""Every error code the server can answer with has words in the web app, in ru, kk and en.

The codes are read from the Python sources (``ApiError(status, "code", ...)``, the policy
gate's denials, ``code="..."`` of access errors, the workflow's refusals, the default code
per HTTP status, the sign-in failures) and looked up in the TypeScript dictionaries
(``err_<code>`` in each of the three languages, or an alias in ``i18n/errors.ts`` to a code
that has them). A code the UI does not know falls back to a sentence for its HTTP status,
which loses what the server said: a new code must come with its words.
"""

from __future__ import annotations

import re
from pathlib import Path

from kuzet.access.errors import AccessError
from kuzet.access.sessions import _MESSAGES
from kuzet.access.throttle import Locked

SRC = Path(__file__).resolve().parents[2] / "src" / "kuzet"
TS = SRC / "ui" / "web" / "src"
CODE = r"\"([a-z][a-z0-9_]*)\""
CALLS = [
    rf"ApiError\(\s*[\w.]+,\s*{CODE}",  # ApiError(403, "forbidden", ...)
    rf"_deny\(\s*\w+,\s*\d+,\s*{CODE}",  # the policy gate
    rf"refuse\(\s*\d+,\s*{CODE}",  # the incident workflow
    rf"\bcode\s*=\s*{CODE}",  # Forbidden(..., code="approver_not_independent"), class attrs
    rf"error_body\(\s*{CODE}",
    rf"\n\s*\d{{3}}: {CODE},",  # api/errors.py: the default code per status
]


def server_codes() -> dict[str, set[str]]:
    """code -> the files that can answer with it."""
    out: dict[str, set[str]] = {}
    for folder in ("api", "access", "incidents"):
        for path in (SRC / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in CALLS:
                for m in re.finditer(pattern, text):
                    out.setdefault(m.group(1), set()).add(str(path.relative_to(SRC)))
    classes = [AccessError, Locked, *AccessError.__subclasses__()]
    for name in [c.code for c in classes] + list(_MESSAGES):
        out.setdefault(name, set()).add("kuzet.access (error classes, sign-in failures)")
    return out


def ui_words() -> tuple[dict[str, int], dict[str, str]]:
    """(``err_<code>`` key -> how many languages define it, alias -> code) from the TS."""
    counts: dict[str, int] = {}
    for path in TS.rglob("*.ts"):
        for m in re.finditer(r"\berr_([a-z0-9_]+)\s*:", path.read_text(encoding="utf-8")):
            counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    errors_ts = (TS / "i18n" / "errors.ts").read_text(encoding="utf-8")
    block = re.search(r"const ALIASES[^{]*\{(.*?)\};", errors_ts, re.S)
    assert block, "i18n/errors.ts: ALIASES not found"
    aliases = dict(re.findall(r"([a-z0-9_]+):\s*\"([a-z0-9_]+)\"", block.group(1)))
    return counts, aliases


def test_the_scan_finds_the_codes_it_should() -> None:
    """The patterns above still match the sources (a refactor must not blind the check)."""
    codes = server_codes()
    for known in ("approver_not_independent", "permission_denied", "not_owner", "locked",
                  "totp_reused", "invalid_credentials", "validation_error", "camera_refused",
                  "incident_conflict", "payload_too_large", "bad_request"):  # fmt: skip
        assert known in codes, known


def test_every_server_error_code_has_words_in_three_languages() -> None:
    counts, aliases = ui_words()
    missing = []
    for code, where in sorted(server_codes().items()):
        target = aliases.get(code, code)
        if counts.get(target, 0) < 3:
            missing.append(f"{code} ({', '.join(sorted(where))})")
    assert not missing, "error codes without ru/kk/en words in i18n: " + "; ".join(missing)


def test_aliases_point_at_translated_codes() -> None:
    counts, aliases = ui_words()
    assert {a: c for a, c in aliases.items() if counts.get(c, 0) < 3} == {}
