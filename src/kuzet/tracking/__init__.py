"""Track ids over time: ByteTrack from Roboflow's ``trackers`` (the successor of supervision's)."""

from kuzet.tracking.bytetrack import ByteTracker, TrackerSettings

__all__ = ["ByteTracker", "TrackerSettings"]
