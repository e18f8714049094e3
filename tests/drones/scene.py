"""SYNTHETIC drone passes for change-detection tests.

The "ground" is a real photo (bus.jpg) laid flat at 0.1 m per pixel around a made-up
point in Almaty; a pass is that ground as a nadir camera at a given pose would see it
(flat-ground pinhole rendering through cv2.remap). Nothing here was flown.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np

from kuzet.assets import ensure
from kuzet.config.drones import DroneCameraConfig
from kuzet.drones import Pose, View
from kuzet.drones.projection import latlon_to_offset, offset_to_latlon

LAT0, LON0 = 43.2389, 76.8897
M_PER_PX = 0.1
CAMERA = DroneCameraConfig(hfov_deg=60.0)
W, H = 640, 480


def ground() -> np.ndarray:
    img = cv2.imread(str(ensure("bus.jpg", quiet=True)))
    assert img is not None
    return img


def place(north: float, east: float) -> tuple[float, float]:
    lat, lon = offset_to_latlon(LAT0, LON0, np.array([north]), np.array([east]))
    return float(lat[0]), float(lon[0])


def view(north: float, east: float, alt: float, yaw: float) -> View:
    lat, lon = place(north, east)
    pose = Pose(
        t=0.0,
        lat=lat,
        lon=lon,
        alt_m=alt,
        alt_amsl_m=None,
        yaw_deg=yaw,
        pitch_deg=0.0,
        roll_deg=0.0,
        gimbal_pitch_deg=-90.0,
    )
    return View(pose, W, H, CAMERA)


def render(v: View, ground_img: np.ndarray) -> np.ndarray:
    """What the camera of ``v`` sees of the flat ``ground_img``."""
    us, vs = np.meshgrid(np.arange(W) + 0.5, np.arange(H) + 0.5)
    ne, _ = v.ground_offsets(np.stack([us.ravel(), vs.ravel()], axis=1))
    dn, de = latlon_to_offset(LAT0, LON0, np.array([v.pose.lat]), np.array([v.pose.lon]))
    gh, gw = ground_img.shape[:2]
    mx = (gw / 2 + (de[0] + ne[:, 1]) / M_PER_PX).reshape(H, W).astype(np.float32)
    my = (gh / 2 - (dn[0] + ne[:, 0]) / M_PER_PX).reshape(H, W).astype(np.float32)
    return cv2.remap(ground_img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def add_dump(
    ground_img: np.ndarray, north: float, east: float, w_m: float, h_m: float
) -> np.ndarray:
    """A heap of rubbish: irregular dark/brown blobs over a ``w_m`` x ``h_m`` patch."""
    out = ground_img.copy()
    gh, gw = out.shape[:2]
    cx, cy = gw / 2 + east / M_PER_PX, gh / 2 - north / M_PER_PX
    rng = np.random.default_rng(7)
    hw, hh = w_m / M_PER_PX / 2, h_m / M_PER_PX / 2
    cv2.rectangle(out, (int(cx - hw), int(cy - hh)), (int(cx + hw), int(cy + hh)), (40, 60, 70), -1)
    for _ in range(60):
        x = int(cx + rng.uniform(-hw, hw) * 0.9)
        y = int(cy + rng.uniform(-hh, hh) * 0.9)
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.circle(out, (x, y), int(rng.integers(2, 6)), colour, -1)
    return out


def relight(img: np.ndarray, gain: float, bias: float, noise: float, seed: int = 1) -> np.ndarray:
    """Another day: other sun and exposure, sensor noise."""
    rng = np.random.default_rng(seed)
    out = img.astype(np.float32) * gain + bias + rng.normal(0, noise, img.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def write_flight(
    path: Path, views: list[View], ground_img: np.ndarray, fps: int = 5, relit: bool = False
) -> Path:
    """An MP4 of the passes (one frame per view), as a drone's recorder would keep it."""
    with av.open(str(path), "w") as out:
        st = out.add_stream("mpeg4", rate=fps)
        st.width, st.height, st.pix_fmt = W, H, "yuv420p"
        st.bit_rate = 8_000_000
        for v in views:
            img = render(v, ground_img)
            if relit:
                img = relight(img, 1.1, 6.0, 1.5)
            frame = av.VideoFrame.from_ndarray(img, format="bgr24")
            out.mux(st.encode(frame))
        out.mux(st.encode(None))
    return path
