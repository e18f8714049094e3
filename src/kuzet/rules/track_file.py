"""Recorded tracks (MOTChallenge text or Kuzet JSON lines), read without holding the file.

A first pass checks every line (errors name the file, the line and the field) and learns
what the replay needs: the frame step, whether frames come in order, the classes seen.
A second pass yields one frame at a time. Files sorted by frame stream straight through;
others (MOT ground truth is sorted by track id) are ordered by a temporary SQLite table on
disk, so memory never grows with the file either way.
"""

from __future__ import annotations

import json
import math
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kuzet.core import COCO_CLASSES, Detections

# MOT17 ground-truth classes -> COCO names (1 pedestrian, 2 person on vehicle, 3 car, ...)
MOT_CLASSES = {1: "person", 2: "person", 3: "car", 4: "bicycle", 5: "motorcycle", 7: "person"}
_MOT_FIELDS = ("frame", "id", "left", "top", "width", "height", "conf", "class")
_BATCH = 10_000


class TrackFileError(ValueError):
    """A tracks file that cannot be replayed; ``str()`` names the file and line."""


@dataclass(slots=True)
class Row:
    frame: int
    line: int
    tid: int
    box: tuple[float, float, float, float]
    score: float
    cls: int


@dataclass(slots=True)
class Summary:
    """What the first pass learnt: rows, frame range and step, order, classes seen."""

    rows: int = 0
    first: int | None = None
    last: int | None = None
    step: int = 0
    ordered: bool = True
    classes: Counter[str] = field(default_factory=Counter)


def _number(value: str, name: str, where: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise TrackFileError(f"{where}: {name}: {value.strip()!r} is not a number") from None
    if not math.isfinite(x):
        raise TrackFileError(f"{where}: {name}: {value.strip()!r} is not a finite number")
    return x


def _integer(value: Any, name: str, where: str) -> int:
    x = _number(str(value), name, where)
    if x != int(x):
        raise TrackFileError(f"{where}: {name}: {value!r} is not a whole number")
    return int(x)


class TrackFile:
    """``for frame, tracks in TrackFile(path)``: the frames present, in order.

    ``labels`` turns class ids into names (COCO by default); ``mot_classes`` reads the class
    column as MOT17 classes (1 = pedestrian) and skips rows whose conf is 0, as MOT ground
    truth marks boxes to ignore.
    """

    def __init__(
        self, path: str | Path, labels: tuple[str, ...] = COCO_CLASSES, mot_classes: bool = False
    ) -> None:
        self.path = Path(path)
        self.labels = labels
        self.mot = mot_classes
        if self.path.is_dir():
            raise TrackFileError(f"{self.path}: is a folder, not a tracks file")
        if not self.path.exists():
            raise TrackFileError(f"{self.path}: tracks not found")
        self.jsonl = self._first_char() == "{"
        self._summary: Summary | None = None

    def _first_char(self) -> str:
        try:
            with self.path.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        return line.lstrip()[0]
        except OSError as exc:
            raise TrackFileError(f"{self.path}: cannot read: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise TrackFileError(f"{self.path}: not a text file (UTF-8)") from None
        return ""

    # ------------------------------------------------------------ parsing
    def _name(self, value: Any) -> tuple[int, str]:
        """(class id in ``labels``, -1 if unknown; the name to report) of a class column."""
        if isinstance(value, str):
            return (self.labels.index(value) if value in self.labels else -1), value
        c = int(value)
        if self.mot:
            name = MOT_CLASSES.get(c)
            if name is None:
                return -1, f"MOT class {c}"
            return (self.labels.index(name) if name in self.labels else -1), name
        if c < 0:
            c = self.labels.index("person") if "person" in self.labels else -1
        return c, self.labels[c] if 0 <= c < len(self.labels) else f"class {c}"

    def _mot_row(self, text: str, n: int) -> tuple[Row, str] | None:
        where = f"{self.path}:{n}"
        f = text.replace(" ", "").split(",")
        if len(f) < 6:
            raise TrackFileError(f"{where}: expected frame,id,left,top,width,height,...")
        frame = _integer(f[0], "frame", where)
        tid = _integer(f[1], "id", where)
        x, y, w, h = (_number(v, k, where) for v, k in zip(f[2:6], _MOT_FIELDS[2:6], strict=True))
        conf = _number(f[6], "conf", where) if len(f) > 6 else 1.0
        cls = _integer(f[7], "class", where) if len(f) > 7 and f[7] != "" else -1
        if self.mot and conf == 0:
            return None  # MOT ground truth: 0 marks boxes to ignore
        return self._row(frame, n, tid, (x, y, x + w, y + h), conf, cls, where, (w, h))

    def _json_rows(self, text: str, n: int) -> Iterator[tuple[Row, str]]:
        where = f"{self.path}:{n}"
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TrackFileError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or "frame" not in obj:
            raise TrackFileError(f"{where}: frame: missing (a Kuzet track line is an object)")
        frame = _integer(obj["frame"], "frame", where)
        rows = obj.get("tracks", [obj])
        if not isinstance(rows, list):
            raise TrackFileError(f"{where}: tracks: must be a list")
        for i, r in enumerate(rows):
            at = f"{where}: tracks[{i}]" if "tracks" in obj else where
            if not isinstance(r, dict):
                raise TrackFileError(f"{at}: must be an object with id and box")
            for key in ("id", "box"):
                if key not in r:
                    raise TrackFileError(f"{at}: {key}: missing")
            box = r["box"]
            if not isinstance(box, list) or len(box) != 4:
                raise TrackFileError(f"{at}: box: must be [x1, y1, x2, y2]")
            x1, y1, x2, y2 = (_number(str(v), "box", at) for v in box)
            score = _number(str(r.get("score", 1.0)), "score", at)
            cls = r.get("class", "person")
            if not isinstance(cls, str):
                cls = _integer(cls, "class", at)
            yield self._row(frame, n, _integer(r["id"], "id", at), (x1, y1, x2, y2), score,
                            cls, at, (x2 - x1, y2 - y1))  # fmt: skip

    def _row(
        self,
        frame: int,
        n: int,
        tid: int,
        box: tuple[float, float, float, float],
        score: float,
        cls: Any,
        where: str,
        size: tuple[float, float],
    ) -> tuple[Row, str]:
        if frame < 0:
            raise TrackFileError(f"{where}: frame: must be 0 or more, not {frame}")
        for name, v in zip(("width", "height"), size, strict=True):
            if v < 0:
                raise TrackFileError(f"{where}: {name}: must not be negative ({v:g})")
        cid, name = self._name(cls)
        return Row(frame, n, tid, box, min(max(score, 0.0), 1.0), cid), name

    def _parse(self) -> Iterator[tuple[Row, str]]:
        try:
            with self.path.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    if self.jsonl:
                        yield from self._json_rows(line, n)
                    else:
                        row = self._mot_row(line, n)
                        if row is not None:
                            yield row
        except OSError as exc:
            raise TrackFileError(f"{self.path}: cannot read: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise TrackFileError(f"{self.path}: not UTF-8 text ({exc.reason})") from None

    # ------------------------------------------------------------ passes
    def scan(self) -> Summary:
        """First pass: every line checked; the frame step is the gcd of frame differences."""
        if self._summary is not None:
            return self._summary
        s = Summary()
        prev: int | None = None
        for row, name in self._parse():
            s.rows += 1
            s.classes[name] += 1
            f = row.frame
            if prev is not None and f != prev:
                s.step = math.gcd(s.step, abs(f - prev))
                s.ordered &= f > prev
            s.first = f if s.first is None else min(s.first, f)
            s.last = f if s.last is None else max(s.last, f)
            prev = f
        s.step = s.step or 1
        self._summary = s
        return s

    @property
    def step(self) -> int:
        return self.scan().step

    def __iter__(self) -> Iterator[tuple[int, Detections]]:
        rows = (r for r, _ in self._parse()) if self.scan().ordered else self._sorted()
        group: list[Row] = []
        for row in rows:
            if group and row.frame != group[0].frame:
                yield group[0].frame, self._frame(group)
                group = []
            group.append(row)
        if group:
            yield group[0].frame, self._frame(group)

    def _sorted(self) -> Iterator[Row]:
        """Rows in (frame, line) order through a temporary SQLite table on disk."""
        with tempfile.TemporaryDirectory(prefix="kuzet-tracks-") as tmp:
            db = sqlite3.connect(Path(tmp) / "rows.db")
            try:
                db.execute("CREATE TABLE r (frame INT, line INT, tid INT, x1 REAL, y1 REAL, "
                           "x2 REAL, y2 REAL, score REAL, cls INT)")  # fmt: skip
                batch: list[tuple[Any, ...]] = []
                for row, _ in self._parse():
                    batch.append((row.frame, row.line, row.tid, *row.box, row.score, row.cls))
                    if len(batch) >= _BATCH:
                        db.executemany("INSERT INTO r VALUES (?,?,?,?,?,?,?,?,?)", batch)
                        batch.clear()
                db.executemany("INSERT INTO r VALUES (?,?,?,?,?,?,?,?,?)", batch)
                db.execute("CREATE INDEX r_order ON r (frame, line)")
                for f, n, tid, x1, y1, x2, y2, score, cls in db.execute(
                    "SELECT * FROM r ORDER BY frame, line"
                ):
                    yield Row(f, n, tid, (x1, y1, x2, y2), score, cls)
            finally:
                db.close()

    def _frame(self, rows: list[Row]) -> Detections:
        first: dict[int, int] = {}
        for r in rows:
            if r.tid in first:
                raise TrackFileError(
                    f"{self.path}:{r.line}: frame {r.frame}: track id {r.tid} appears twice "
                    f"(first on line {first[r.tid]})"
                )
            first[r.tid] = r.line
        return Detections(
            xyxy=np.array([r.box for r in rows], np.float32).reshape(-1, 4),
            confidence=np.array([r.score for r in rows], np.float32),
            class_id=np.array([r.cls for r in rows], np.int32),
            tracker_id=np.array([r.tid for r in rows], np.int64),
        )
