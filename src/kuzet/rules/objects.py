"""abandoned_object, object_removed and illegal_dump: objects that stay still.

Tracked objects of the rule's classes are watched directly; when the detector misses
the class, blobs of static foreground stand in for them (``static_fg``).
"""

from __future__ import annotations

import numpy as np

from kuzet.config.rules import (
    AbandonedObjectRuleConfig,
    IllegalDumpRuleConfig,
    ObjectRemovedRuleConfig,
)
from kuzet.core import Event
from kuzet.rules.episodes import EPS, Ended, Episodes
from kuzet.rules.family import SceneContext
from kuzet.rules.presence import PresenceFamily
from kuzet.rules.static_fg import Blob
from kuzet.rules.tracks import Columns, View

ObjectConfig = AbandonedObjectRuleConfig | ObjectRemovedRuleConfig | IllegalDumpRuleConfig
REMOVED_CONFIRM_S = 1.0


class StaticObjectFamily:
    def __init__(self, ctx: SceneContext, cfgs: list[ObjectConfig]) -> None:
        self.ctx, self.cfgs = ctx, cfgs
        self._zones = PresenceFamily(ctx, cfgs)  # type: ignore[arg-type]
        k = len(cfgs)
        self.removed = np.array([isinstance(c, ObjectRemovedRuleConfig) for c in cfgs])
        self.radius = np.array([getattr(c, "still_radius", 10.0) for c in cfgs])
        self.need_s = np.array(
            [getattr(c, "min_present_s", getattr(c, "min_still_s", 0.0)) for c in cfgs]
        )
        self.owner = np.array([getattr(c, "owner_radius", 0.0) for c in cfgs])
        self.state = Columns()
        self.state.add("ref", (k, 2), np.float64, np.nan)
        self.state.add("since", (k,), np.float64, np.nan)
        self.state.add("present", (k,), bool, False)
        self.episodes = Episodes(
            np.array([c.min_frames for c in cfgs]),
            np.zeros(k),
            np.array([c.exit_after_s for c in cfgs]),
        )
        self.blob_open: dict[
            tuple[int, int], tuple[float, float]
        ] = {}  # (rule, blob) -> start, last ok

    def grow(self, cap: int) -> None:
        self.state.grow(cap)
        self.episodes.cols.grow(cap)

    def reset(self, rows: np.ndarray) -> None:
        self.state.reset(rows)
        self.episodes.cols.reset(rows)

    def update(self, view: View) -> list[Event]:
        rows, pts = view.rows, view.pts
        p = view.anchors["center"]
        a = self.state.a
        ref = a["ref"][rows]
        moved = (np.hypot(*(p[:, None, :] - ref).transpose(2, 0, 1)) > self.radius) | np.isnan(
            ref[..., 0]
        )
        a["ref"][rows] = np.where(moved[..., None], p[:, None, :], ref)
        since = np.where(moved, pts, a["since"][rows])
        a["since"][rows] = since
        ok = self._zones.inside(view)
        still = ok & (pts - since >= self.need_s - EPS)
        alone = ~self._near_person(view)
        cond = still & ~self.removed & (alone | (self.owner <= 0))
        start, ended = self.episodes.step(rows, cond, pts)
        events = [self._start(view, n, k) for n, k in np.argwhere(start).tolist()]
        events += self._ends(view, ended, "picked_up")
        events += self._removed_tracks(view, still, moved)
        if any(getattr(c, "static_fallback", True) for c in self.cfgs):
            events += self._blobs(view, self.ctx.static_blobs(view))
        return [e for e in events if e is not None]

    def _near_person(self, view: View) -> np.ndarray:
        """(N, K): a person's feet within ``owner_radius`` of the object's centre."""
        n = len(view.rows)
        if n == 0 or "person" not in view.labels:
            return np.zeros((n, len(self.cfgs)), bool)
        person = view.tracks.class_id == view.labels.index("person")
        if not person.any():
            return np.zeros((n, len(self.cfgs)), bool)
        d = np.linalg.norm(
            view.anchors["center"][:, None] - view.anchors["bottom_center"][person][None], axis=2
        )
        return d.min(axis=1)[:, None] <= self.owner

    def _start(self, view: View, n: int, k: int) -> Event | None:
        cfg = self.cfgs[k]
        return self.ctx.emitter(cfg).emit(
            view.frame,
            "start",
            track_id=int(view.tids[n]),
            started_pts=view.pts,
            box=view.box(n),
            class_name=view.class_name(n),
            score=float(view.tracks.confidence[n]),
            attributes={"zone": cfg.zone, "source": "detector"},
        )

    def _ends(self, view: View, ended: list[Ended], reason: str) -> list[Event | None]:
        return [
            self.ctx.emitter(self.cfgs[e.rule]).emit(
                view.frame,
                "end",
                track_id=int(view.row_tid[e.row]),
                started_pts=e.start_pts,
                attributes={
                    "zone": self.cfgs[e.rule].zone,
                    "reason": reason,
                    "duration_s": round(e.last_true - e.start_pts, 3),
                },
            )
            for e in ended
        ]

    def _removed_tracks(
        self, view: View, still: np.ndarray, moved: np.ndarray
    ) -> list[Event | None]:
        a, rows = self.state.a, view.rows
        present = a["present"]
        took = present[rows] & moved & self.removed
        present[rows] |= still & self.removed
        events: list[Event | None] = []
        for n, k in np.argwhere(took).tolist():
            present[rows[n], k] = False
            events.append(self._removed(view, k, int(view.tids[n]), view.box(n), "moved"))
        grace = np.array([c.exit_after_s for c in self.cfgs])
        gone = present & ((view.pts - view.row_seen[: len(present)])[:, None] > grace + EPS)
        for r, k in np.argwhere(gone).tolist():
            present[r, k] = False
            events.append(self._removed(view, k, int(view.row_tid[r]), None, "gone"))
        return events

    def _removed(
        self,
        view: View,
        k: int,
        tid: int,
        box: tuple[float, float, float, float] | None,
        reason: str,
    ) -> Event | None:
        return self.ctx.emitter(self.cfgs[k]).emit(
            view.frame,
            "instant",
            track_id=tid,
            started_pts=view.pts,
            box=box,
            attributes={"zone": self.cfgs[k].zone, "reason": reason},
        )

    def _covered(self, view: View, blob: Blob) -> bool:
        """A tracked thing (a standing person, a known bag) explains this blob already."""
        if len(view.rows) == 0:
            return False
        cx, cy = (blob.box[0] + blob.box[2]) / 2, (blob.box[1] + blob.box[3]) / 2
        b = view.tracks.xyxy
        return bool(np.any((b[:, 0] <= cx) & (cx <= b[:, 2]) & (b[:, 1] <= cy) & (cy <= b[:, 3])))

    def _blobs(self, view: View, blobs: list[Blob]) -> list[Event | None]:
        events: list[Event | None] = []
        live: set[tuple[int, int]] = set()
        for blob in blobs:
            if self._covered(view, blob):
                continue
            for k, cfg in enumerate(self.cfgs):
                if (
                    not getattr(cfg, "static_fallback", True)
                    or not view.armed[self.ctx.rule_index[cfg.name]]
                ):
                    continue
                if blob.area < cfg.min_area or not self.ctx.in_zone(cfg.zone, blob.foot):
                    continue
                age = view.pts - blob.first_seen
                if self.removed[k]:
                    if blob.kind == "removed" and age >= REMOVED_CONFIRM_S:
                        events.append(self._removed(view, k, blob.id, blob.box, "gone"))
                        assert self.ctx.background is not None
                        self.ctx.background.absorb(blob.box)
                    continue
                if blob.kind != "added" or age < self.need_s[k] or self._owner_near(view, blob, k):
                    continue
                key = (k, blob.id)
                live.add(key)
                if key not in self.blob_open:
                    self.blob_open[key] = (view.pts, view.pts)
                    events.append(
                        self.ctx.emitter(cfg).emit(
                            view.frame,
                            "start",
                            track_id=blob.id,
                            started_pts=view.pts,
                            box=blob.box,
                            attributes={
                                "zone": cfg.zone,
                                "source": "static_foreground",
                                "area_px": round(blob.area),
                            },
                        )
                    )
                else:
                    self.blob_open[key] = (self.blob_open[key][0], view.pts)
        for key, (start, last) in list(self.blob_open.items()):
            if key not in live and view.pts - last > self.cfgs[key[0]].exit_after_s:
                del self.blob_open[key]
                events.append(
                    self.ctx.emitter(self.cfgs[key[0]]).emit(
                        view.frame,
                        "end",
                        track_id=key[1],
                        started_pts=start,
                        attributes={
                            "zone": self.cfgs[key[0]].zone,
                            "reason": "picked_up",
                            "duration_s": round(last - start, 3),
                        },
                    )
                )
        return events

    def _owner_near(self, view: View, blob: Blob, k: int) -> bool:
        if self.owner[k] <= 0 or len(view.rows) == 0 or "person" not in view.labels:
            return False
        person = view.tracks.class_id == view.labels.index("person")
        feet = view.anchors["bottom_center"][person]
        c = np.array([(blob.box[0] + blob.box[2]) / 2, (blob.box[1] + blob.box[3]) / 2])
        return bool(len(feet) and np.linalg.norm(feet - c, axis=1).min() <= self.owner[k])

    def finish(self, view: View) -> list[Event]:
        events = self._ends(view, self.episodes.drain(), "end_of_stream")
        for (k, bid), (start, last) in self.blob_open.items():
            events.append(
                self.ctx.emitter(self.cfgs[k]).emit(
                    view.frame,
                    "end",
                    track_id=bid,
                    started_pts=start,
                    attributes={
                        "zone": self.cfgs[k].zone,
                        "reason": "end_of_stream",
                        "duration_s": round(last - start, 3),
                    },
                )
            )
        self.blob_open.clear()
        return [e for e in events if e is not None]
