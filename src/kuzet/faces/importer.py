"""Read a watchlist to import from a folder, a CSV with an image folder, or a ZIP.

Layouts (the same inside a ZIP):
* one sub-folder per person: the folder name is the external id and the name, every
  image inside is a photo; an optional ``person.json`` gives ``name`` and ``case``;
* loose images: one person per file, the file stem is the external id and the name;
* ``persons.csv`` (or ``--csv``): columns ``external_id``, ``name``, ``photos``
  (file names separated by ``;``, relative to the image folder); other columns go to
  the case data.
Rows that cannot be read come back as problems with the reason, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kuzet.faces.records import PersonRecord

IMAGE_EXT = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


@dataclass(frozen=True)
class Row:
    """One person to import, or why the source row could not be read."""

    ref: str  # where it came from (folder, file, CSV line)
    record: PersonRecord | None
    problem: str | None = None


Reader = Callable[[str], bytes | None]  # relative path -> bytes, None if missing


def _is_image(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in IMAGE_EXT


def from_tree(names: list[str], read: Reader) -> Iterator[Row]:
    """Sub-folders per person and loose images, over relative POSIX paths."""
    if "persons.csv" in names:
        data = read("persons.csv") or b""
        yield from from_csv_text(data.decode("utf-8-sig"), read)
        return
    groups: dict[str, list[str]] = {}
    for n in sorted(names):
        parts = PurePosixPath(n).parts
        if len(parts) == 1 and _is_image(n):
            groups[PurePosixPath(n).stem] = [n]
        elif len(parts) == 2:
            groups.setdefault(parts[0], []).append(n)
    for pid, files in groups.items():
        images = [f for f in files if _is_image(f)]
        meta: dict[str, object] = {}
        if f"{pid}/person.json" in files:
            try:
                meta = json.loads(read(f"{pid}/person.json") or b"{}")
            except ValueError as exc:
                yield Row(pid, None, f"person.json is not JSON: {exc}")
                continue
        if not images:
            yield Row(pid, None, "no image files")
            continue
        photos = [b for b in (read(f) for f in images) if b]
        raw_case = meta.get("case")
        case: dict[str, Any] = dict(raw_case) if isinstance(raw_case, dict) else {}
        name = str(meta.get("name") or pid)
        yield Row(pid, PersonRecord(pid, name, photos, case))


def from_csv_text(text: str, read: Reader) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"external_id", "name", "photos"} - set(reader.fieldnames or [])
    if missing:
        yield Row("header", None, f"CSV lacks column(s): {', '.join(sorted(missing))}")
        return
    for line, rec in enumerate(reader, start=2):
        ref = f"line {line} ({rec.get('external_id') or '?'})"
        ext, name = (rec.get("external_id") or "").strip(), (rec.get("name") or "").strip()
        if not ext or not name:
            yield Row(ref, None, "external_id and name are required")
            continue
        files = [f.strip() for f in (rec.get("photos") or "").split(";") if f.strip()]
        photos, absent = [], []
        for f in files:
            data = read(f)
            (photos.append(data) if data else absent.append(f))
        if absent:
            yield Row(ref, None, f"missing image(s): {', '.join(absent)}")
            continue
        if not photos:
            yield Row(ref, None, "no photos listed")
            continue
        case = {k: v for k, v in rec.items() if k not in ("external_id", "name", "photos") and v}
        yield Row(ref, PersonRecord(ext, name, photos, case))


def _dir_reader(root: Path) -> Reader:
    base = root.resolve()

    def read(rel: str) -> bytes | None:
        p = (base / rel).resolve()
        if not p.is_relative_to(base) or not p.is_file():
            return None
        return p.read_bytes()

    return read


def from_folder(root: Path) -> Iterator[Row]:
    names = [p.relative_to(root).as_posix() for p in sorted(root.rglob("*")) if p.is_file()]
    yield from from_tree(names, _dir_reader(root))


def from_csv(csv_file: Path, images: Path) -> Iterator[Row]:
    yield from from_csv_text(csv_file.read_text(encoding="utf-8-sig"), _dir_reader(images))


def from_zip(path: Path) -> Iterator[Row]:
    with zipfile.ZipFile(path) as z:
        names = [
            n for n in z.namelist()
            if not n.endswith("/") and ".." not in PurePosixPath(n).parts and not n.startswith("/")
        ]  # fmt: skip
        # a ZIP made of one top folder: strip it
        tops = {PurePosixPath(n).parts[0] for n in names}
        prefix = f"{tops.pop()}/" if len(tops) == 1 and all("/" in n for n in names) else ""
        rel = {n[len(prefix) :]: n for n in names}

        def read(name: str) -> bytes | None:
            full = rel.get(name)
            return None if full is None else z.read(full)

        yield from list(from_tree(sorted(rel), read))
