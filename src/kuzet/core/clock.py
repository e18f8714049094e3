"""The host clock and what the kernel says about its synchronisation.

Evidence says when it happened and how far that time can be trusted. Event times come
from the host's ``CLOCK_REALTIME``; whether an NTP/PTP daemon (chrony, ntpd,
systemd-timesyncd) keeps it in step is read from the kernel with ``adjtimex(2)`` in
read-only mode (``modes = 0``, no privilege needed): the ``STA_UNSYNC`` flag, the
estimated and maximum error and the current offset. Nothing is guessed: where the call
is not available the state says ``unknown``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Any

_STA_UNSYNC = 0x0040
_STA_NANO = 0x2000
_STATES = {
    0: "TIME_OK",
    1: "TIME_INS",
    2: "TIME_DEL",
    3: "TIME_OOP",
    4: "TIME_WAIT",
    5: "TIME_ERROR",
}


class _Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class _Timex(ctypes.Structure):
    """``struct timex`` of Linux (<sys/timex.h>), padding included."""

    _fields_ = [
        ("modes", ctypes.c_uint),
        ("offset", ctypes.c_long),
        ("freq", ctypes.c_long),
        ("maxerror", ctypes.c_long),
        ("esterror", ctypes.c_long),
        ("status", ctypes.c_int),
        ("constant", ctypes.c_long),
        ("precision", ctypes.c_long),
        ("tolerance", ctypes.c_long),
        ("time", _Timeval),
        ("tick", ctypes.c_long),
        ("ppsfreq", ctypes.c_long),
        ("jitter", ctypes.c_long),
        ("shift", ctypes.c_int),
        ("stabil", ctypes.c_long),
        ("jitcnt", ctypes.c_long),
        ("calcnt", ctypes.c_long),
        ("errcnt", ctypes.c_long),
        ("stbcnt", ctypes.c_long),
        ("tai", ctypes.c_int),
        ("_pad", ctypes.c_int * 11),
    ]


def clock_state() -> dict[str, Any]:
    """Which clock stamps events and its sync state as the kernel reports it now."""
    out: dict[str, Any] = {"clock": "host CLOCK_REALTIME", "source": "adjtimex(2)"}
    if not sys.platform.startswith("linux"):
        return {**out, "source": "none", "synchronised": None, "state": "unknown"}
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        tx = _Timex()
        tx.modes = 0  # read only
        ret = int(libc.adjtimex(ctypes.byref(tx)))
    except (OSError, AttributeError) as exc:
        return {**out, "source": "none", "synchronised": None, "state": f"unknown ({exc})"}
    if ret < 0:
        return {**out, "synchronised": None, "state": f"unknown (errno {ctypes.get_errno()})"}
    offset_us = tx.offset / 1000.0 if tx.status & _STA_NANO else float(tx.offset)
    return {
        **out,
        "synchronised": not (tx.status & _STA_UNSYNC) and ret != 5,
        "state": _STATES.get(ret, str(ret)),
        "max_error_us": int(tx.maxerror),
        "est_error_us": int(tx.esterror),
        "offset_us": offset_us,
    }
