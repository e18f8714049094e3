"""Secret redaction for anything an operator may read: logs, API responses.

Camera URLs routinely embed credentials (``rtsp://admin:pass@10.0.0.7/stream``);
they must never reach a log line or an unauthenticated JSON response.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://user:password@  — the password is everything up to the next '@' (or space or
# quote, so a JSON log line stays valid); passwords with ':' or '/' are still hidden.
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s\"]*:)(?P<secret>[^@\s\"]+)(?P<tail>@)"
)
# ?password=...&token=...  in query strings and key=value log text.
_KEY_VALUE = re.compile(
    r"(?P<head>\b(?:password|passwd|pwd|token|secret|api_key|apikey|access_token)=)"
    r"(?P<secret>[^&\s\"']+)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Mask URL passwords and ``password=``-style values anywhere in ``text``."""
    if "://" not in text and "=" not in text:  # fast path for the common log line
        return text
    text = _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['tail']}", text)
    return _KEY_VALUE.sub(lambda m: f"{m['head']}{MASK}", text)


def redact_url(url: str | None) -> str | None:
    """``rtsp://user:pass@host`` -> ``rtsp://user:***@host``; ``None`` passes through."""
    return None if url is None else redact(url)


def restore_redacted(new: str | None, old: str | None) -> str | None:
    """Keep the stored secret when a client sends back the masked URL it was given.

    A GET-edit-PUT round trip would otherwise overwrite the real password with ``***``.
    """
    if new is not None and old is not None and MASK in new and redact(old) == new:
        return old
    return new
