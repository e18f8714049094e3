"""Changes between two flights as ``drone_change`` events, crops kept as blobs.

The event's ``snapshot`` is the after crop (what the operator sees in the queue); both
crops are named in the attributes so the UI can show before and after side by side.
Ids come from the two flights and the change's place on the map (rounded to ~1 m), so
comparing the same flights again gives the same events.
"""

from __future__ import annotations

from datetime import datetime

from kuzet.core import Event, event_id
from kuzet.drones.change import ChangeResult
from kuzet.store.blobs import BlobStore, snapshot_key

EVENT_TYPE = "drone_change"


def change_events(
    drone_id: str,
    before_flight: str,
    after_flight: str,
    result: ChangeResult,
    ts: datetime,
    blobs: BlobStore,
    *,
    category: str | None = None,
    district: str | None = None,
) -> list[Event]:
    out: list[Event] = []
    for c in result.changes:
        eid = event_id(
            drone_id, EVENT_TYPE, before_flight, after_flight, f"{c.lat:.5f}", f"{c.lon:.5f}"
        )
        before_key = snapshot_key(drone_id, f"{eid}-before", ts)
        after_key = snapshot_key(drone_id, eid, ts)
        blobs.put(before_key, c.before_crop)
        blobs.put(after_key, c.after_crop)
        out.append(
            Event(
                id=eid,
                type=EVENT_TYPE,
                camera_id=drone_id,
                ts=ts,
                box=(float(c.box[0]), float(c.box[1]), float(c.box[2]), float(c.box[3])),
                snapshot=after_key,
                attributes={
                    "drone": True,
                    "lat": round(c.lat, 7),
                    "lon": round(c.lon, 7),
                    "projection": result.projection,
                    "area_m2": c.area_m2,
                    "mean_diff": c.mean_diff,
                    "registration": result.registration,
                    "inliers": result.inliers,
                    "before_flight": before_flight,
                    "after_flight": after_flight,
                    "before_crop": before_key,
                    "after_crop": after_key,
                    "category": category,
                    "district": district,
                },
            )
        )
    return out
