"""Camera import from CSV: every row checked first, errors named by row and field, and
nothing written unless the whole file is clean (a dry run stops after the check).

Columns (header row, any order; ``id`` and ``main_url`` required)::

    id,name,category,district,latitude,longitude,direction_deg,fov_deg,main_url,sub_url,enabled

Row numbers are the file's line numbers (the header is row 1), as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ValidationError

from kuzet.config.models import CameraCategory
from kuzet.core.records import CameraInfo

COLUMNS = (
    "id", "name", "category", "district", "latitude", "longitude",
    "direction_deg", "fov_deg", "main_url", "sub_url", "enabled",
)  # fmt: skip
REQUIRED = ("id", "main_url")
MAX_ROWS = 10_000
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off"}


class RowError(BaseModel):
    row: int  # line in the file; 0 = the file itself (header, encoding)
    field: str | None
    message: str


class RowPlan(BaseModel):
    row: int
    id: str
    action: Literal["create", "update"]


class ImportReport(BaseModel):
    dry_run: bool
    applied: bool
    rows: int
    create: int
    update: int
    errors: list[RowError]
    plan: list[RowPlan]

    @property
    def ok(self) -> bool:
        return not self.errors


def _row_errors(line: int, exc: ValidationError) -> list[RowError]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or None
        out.append(RowError(row=line, field=loc, message=e["msg"]))
    return out


def check(
    data: bytes | str,
    *,
    exists: Callable[[str], bool],
    allowed: Callable[[CameraInfo], bool] | None = None,
) -> tuple[ImportReport, list[CameraInfo]]:
    """Parse and check every row; the cameras are returned only when there is no error."""
    errors: list[RowError] = []
    plan: list[RowPlan] = []
    cams: list[CameraInfo] = []

    def report() -> ImportReport:
        n_create = sum(p.action == "create" for p in plan)
        return ImportReport(
            dry_run=True, applied=False, rows=len(plan) + len({e.row for e in errors if e.row}),
            create=n_create, update=len(plan) - n_create, errors=errors, plan=plan,
        )  # fmt: skip

    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            errors.append(
                RowError(
                    row=0, field=None, message=f"not UTF-8 text: {exc.reason} at byte {exc.start}"
                )
            )
            return report(), []
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        errors.append(RowError(row=0, field=None, message="empty file: needs a header row"))
        return report(), []
    unknown = [h for h in header if h not in COLUMNS]
    for h in unknown:
        errors.append(
            RowError(row=1, field=h, message=f"unknown column (known: {', '.join(COLUMNS)})")
        )
    for h in REQUIRED:
        if h not in header:
            errors.append(RowError(row=1, field=h, message="required column missing"))
    dup_cols = {h for h in header if header.count(h) > 1}
    for h in sorted(dup_cols):
        errors.append(RowError(row=1, field=h, message="column appears twice"))
    if errors:
        return report(), []

    seen: dict[str, int] = {}
    categories = {c.value for c in CameraCategory}
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank line
        if len(plan) + len({e.row for e in errors}) >= MAX_ROWS:
            errors.append(RowError(row=line, field=None, message=f"more than {MAX_ROWS} rows"))
            break
        if len(values) != len(header):
            errors.append(
                RowError(
                    row=line, field=None, message=f"{len(values)} values for {len(header)} columns"
                )
            )
            continue
        raw = {h: v.strip() for h, v in zip(header, values, strict=True)}
        row_errs: list[RowError] = []
        fields: dict[str, object] = {k: v for k, v in raw.items() if v != "" and k != "enabled"}
        if raw.get("enabled", "") != "":
            flag = raw["enabled"].lower()
            if flag in _TRUE | _FALSE:
                fields["enabled"] = flag in _TRUE
            else:
                row_errs.append(
                    RowError(
                        row=line, field="enabled", message=f"{raw['enabled']!r}: use true or false"
                    )
                )
        cat = raw.get("category", "")
        if cat and cat not in categories:
            row_errs.append(
                RowError(
                    row=line,
                    field="category",
                    message=f"{cat!r}: one of {', '.join(sorted(categories))}",
                )
            )
        try:
            cam = CameraInfo.model_validate(fields)
        except ValidationError as exc:
            row_errs.extend(_row_errors(line, exc))
            cam = None
        cid = raw.get("id", "")
        if cid and cid in seen:
            row_errs.append(
                RowError(row=line, field="id", message=f"{cid!r} already on row {seen[cid]}")
            )
        elif cid:
            seen[cid] = line
        if cam is not None and not row_errs and allowed is not None and not allowed(cam):
            row_errs.append(
                RowError(
                    row=line,
                    field="id",
                    message="camera refused: its id, category or district is not yours",
                )
            )
        if row_errs or cam is None:
            errors.extend(row_errs)
            continue
        plan.append(RowPlan(row=line, id=cam.id, action="update" if exists(cam.id) else "create"))
        cams.append(cam)
    if not plan and not errors:
        errors.append(RowError(row=0, field=None, message="no camera rows after the header"))
    return report(), ([] if errors else cams)


def run_import(
    data: bytes | str,
    *,
    dry_run: bool,
    exists: Callable[[str], bool],
    upsert: Callable[[CameraInfo], object],
    allowed: Callable[[CameraInfo], bool] | None = None,
) -> ImportReport:
    """Check, then (not a dry run, no errors) write every camera."""
    rep, cams = check(data, exists=exists, allowed=allowed)
    if dry_run or not rep.ok:
        return rep.model_copy(update={"dry_run": dry_run})
    for cam in cams:
        upsert(cam)
    return rep.model_copy(update={"dry_run": False, "applied": True})
