"""Change between two flights over the same area: what is new on the ground.

Two images of one place, taken on different days, are registered first by telemetry
(each pixel through the flat-ground projection to the map and back into the other
image) and then refined by image features: ORB key points matched across the passes,
kept only where they agree with the telemetry guess, and a RANSAC homography (exact for
flat ground seen by a pinhole camera). Few consistent matches (a featureless field,
snow) fall back to the telemetry alone, and the result says which one was used.

The aligned images are compared after matching their brightness (sun and exposure
change between flights); regions that differ, are larger than ``min_area_m2`` on the
ground and lie inside both footprints become changes, with before/after crops and a map
position (flat-ground, like every drone position). A change is reported, not
classified: a new dump, a building or standing water all look like "something new here".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from kuzet.drones.projection import PROJECTION, View, latlon_to_offset, project


@dataclass(frozen=True, slots=True)
class ChangeSettings:
    min_area_m2: float = 2.0
    threshold: float = 45.0  # grey-level difference (0..255) after brightness matching
    blur_px: int = 5
    orb_features: int = 4000
    min_inliers: int = 25
    telemetry_tolerance_px: float = 80.0  # how far a match may sit from the telemetry guess
    crop_margin_px: int = 16


@dataclass(frozen=True, slots=True)
class Pass:
    """One image of the area from one flight, with the geometry it was taken with."""

    image: np.ndarray
    view: View


@dataclass
class Change:
    box: tuple[int, int, int, int]  # in the *before* image's pixels
    lat: float
    lon: float
    area_m2: float
    mean_diff: float
    before_crop: bytes  # JPEG
    after_crop: bytes  # JPEG, the after pass warped onto the before one


@dataclass
class ChangeResult:
    changes: list[Change] = field(default_factory=list)
    registration: str = "telemetry"  # or "orb"
    inliers: int = 0
    overlap: float = 0.0  # share of the before image the after pass covers
    projection: str = PROJECTION


def telemetry_homography(before: View, after: View) -> np.ndarray:
    """After-image pixels -> before-image pixels through the flat ground (3x3)."""
    dn, de = latlon_to_offset(
        before.pose.lat, before.pose.lon, np.array([after.pose.lat]), np.array([after.pose.lon])
    )
    shift = np.array([[1.0, 0.0, float(dn[0])], [0.0, 1.0, float(de[0])], [0.0, 0.0, 1.0]])
    h = before.ground_to_pixel_h() @ shift @ np.linalg.inv(after.ground_to_pixel_h())
    return np.asarray(h / h[2, 2])


def _grey(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def refine_with_features(
    before: np.ndarray, after: np.ndarray, guess: np.ndarray, s: ChangeSettings
) -> tuple[np.ndarray | None, int]:
    """ORB + RANSAC homography after->before, matches filtered by the telemetry guess."""
    orb = cv2.ORB.create(nfeatures=s.orb_features)
    kb, db = orb.detectAndCompute(_grey(before), None)
    ka, da = orb.detectAndCompute(_grey(after), None)
    if db is None or da is None or len(kb) < 4 or len(ka) < 4:
        return None, 0
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(da, db, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
    if len(good) < 4:
        return None, 0
    pa = np.array([ka[m.queryIdx].pt for m in good], np.float32)
    pb = np.array([kb[m.trainIdx].pt for m in good], np.float32)
    predicted = cv2.perspectiveTransform(pa.reshape(-1, 1, 2), guess).reshape(-1, 2)
    near = np.linalg.norm(predicted - pb, axis=1) < s.telemetry_tolerance_px
    if near.sum() < max(4, s.min_inliers):
        return None, int(near.sum())
    h, mask = cv2.findHomography(pa[near], pb[near], cv2.RANSAC, 3.0)
    inliers = int(mask.sum()) if mask is not None else 0
    if h is None or inliers < s.min_inliers:
        return None, inliers
    return h, inliers


def _match_brightness(src: np.ndarray, ref: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Map ``src`` per channel onto ``ref``'s brightness inside ``mask``: gain and bias
    fitted on the 10th..90th percentiles (another day's sun and exposure), robust to a
    new object covering a few per cent of the picture. A plain field (no spread) gets a
    gain from the medians only, so the new object is not flattened away."""
    out = src.astype(np.float32)
    m = mask > 0
    q = [10, 25, 50, 75, 90]
    for c in range(out.shape[2]):
        xs = np.percentile(out[..., c][m], q)
        ys = np.percentile(ref[..., c][m].astype(np.float32), q)
        if xs[-1] - xs[0] < 8.0:
            gain, bias = (ys[2] + 1.0) / (xs[2] + 1.0), 0.0
        else:
            gain, bias = np.polyfit(xs, ys, 1)
        gain = min(2.0, max(0.5, float(gain)))
        out[..., c] = out[..., c] * gain + float(bias)
    return np.clip(out, 0, 255)


def _jpeg(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buf)


def detect_changes(
    before: Pass, after: Pass, settings: ChangeSettings | None = None
) -> ChangeResult:
    """New (or vanished) things on the ground between two passes over one place."""
    s = settings or ChangeSettings()
    bh, bw = before.image.shape[:2]
    guess = telemetry_homography(before.view, after.view)
    h, inliers = refine_with_features(before.image, after.image, guess, s)
    result = ChangeResult(registration="orb" if h is not None else "telemetry", inliers=inliers)
    h = guess if h is None else h
    warped = cv2.warpPerspective(after.image, h, (bw, bh), flags=cv2.INTER_LINEAR)
    ones = np.full(after.image.shape[:2], 255, np.uint8)
    valid = cv2.warpPerspective(ones, h, (bw, bh), flags=cv2.INTER_NEAREST)
    edge = 2 * s.blur_px + 1
    valid = cv2.erode(valid, np.ones((edge, edge), np.uint8))
    result.overlap = float((valid > 0).mean())
    if result.overlap == 0.0:
        return result
    k = 2 * s.blur_px + 1
    b = cv2.GaussianBlur(before.image, (k, k), 0).astype(np.float32)
    a = _match_brightness(cv2.GaussianBlur(warped, (k, k), 0), b, valid)
    diff = np.abs(a - b).max(axis=2)
    diff[valid == 0] = 0
    changed = (diff > s.threshold).astype(np.uint8)
    changed = cv2.morphologyEx(changed, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    changed = cv2.morphologyEx(changed, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(changed, connectivity=8)
    gsd = before.view.gsd_m()
    for i in range(1, n):
        x, y, w, hh, area_px = (int(v) for v in stats[i])
        area_m2 = area_px * gsd * gsd
        if area_m2 < s.min_area_m2:
            continue
        (gp,) = project(before.view, centroids[i].reshape(1, 2))
        if gp is None:
            continue
        m = s.crop_margin_px
        x1, y1 = max(0, x - m), max(0, y - m)
        x2, y2 = min(bw, x + w + m), min(bh, y + hh + m)
        result.changes.append(
            Change(
                box=(x, y, x + w, y + hh),
                lat=gp.lat,
                lon=gp.lon,
                area_m2=round(area_m2, 2),
                mean_diff=round(float(diff[labels == i].mean()), 1),
                before_crop=_jpeg(before.image[y1:y2, x1:x2]),
                after_crop=_jpeg(warped[y1:y2, x1:x2]),
            )
        )
    result.changes.sort(key=lambda c: -c.area_m2)
    return result


def footprint_distance_m(a: View, b: View) -> float:
    """Ground distance between the image centres' ground points (inf when one sees sky)."""
    (pa,) = project(a, np.array([[a.width / 2, a.height / 2]]))
    (pb,) = project(b, np.array([[b.width / 2, b.height / 2]]))
    if pa is None or pb is None:
        return math.inf
    n, e = latlon_to_offset(pa.lat, pa.lon, np.array([pb.lat]), np.array([pb.lon]))
    return float(math.hypot(float(n[0]), float(e[0])))


def pair_passes(
    before: list[Pass], after: list[Pass], max_distance_m: float = 20.0
) -> list[tuple[Pass, Pass]]:
    """For each after-pass image, the before-pass image looking at the nearest ground."""
    pairs: list[tuple[Pass, Pass]] = []
    for a in after:
        best = min(before, key=lambda b: footprint_distance_m(b.view, a.view), default=None)
        if best is not None and footprint_distance_m(best.view, a.view) <= max_distance_m:
            pairs.append((best, a))
    return pairs
