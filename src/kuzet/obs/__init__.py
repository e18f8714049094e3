"""Observability: structured logs, Prometheus metrics and secret redaction.

Nothing here touches global state at import time; callers own their ``Metrics``
(and its registry) and call ``setup_logging`` once at process start.
"""

from kuzet.obs.logging import JsonFormatter, TextFormatter, setup_logging
from kuzet.obs.metrics import CameraMetrics, Metrics
from kuzet.obs.redact import redact, redact_url, restore_redacted

__all__ = [
    "CameraMetrics",
    "JsonFormatter",
    "Metrics",
    "TextFormatter",
    "redact",
    "redact_url",
    "restore_redacted",
    "setup_logging",
]
