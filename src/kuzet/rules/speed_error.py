"""How sure a measured ground speed is: calibration error and box jitter, combined.

Two independent sources (docs/rules.md, "Speed uncertainty"):

* **Calibration**: each surveyed ground point has a standard error ``point_error_m`` and
  each clicked image point ``point_error_px``. The homography is re-fitted with both
  perturbed (Monte Carlo, a fixed seed so one track always gives one answer) and the
  track's displacement over one second pushed through every fit: the spread of the
  resulting speeds is the calibration's relative error at *that* place of the picture
  (it grows outside the four points, where the fit extrapolates).
* **Box jitter**: the foot point wanders ``box_jitter_px`` (standard deviation, per frame,
  independent). The speed is an exponential average of frame-to-frame displacements
  (``TAU_S``), a linear filter, so its noise is exactly the jitter times the norm of the
  filter's weights on the positions so far, turned into metres by the homography's local
  scale (its Jacobian at the foot point).

The two are added in quadrature and expanded with k = 2 (about 95 %).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kuzet.config.scene_base import CalibrationConfig

COVERAGE_K = 2.0
SAMPLES = 256


def ema_noise_gain(n_obs: int, dt: float, tau: float) -> float:
    """Standard deviation of the averaged velocity per unit position noise (1/s), after
    ``n_obs`` sightings ``dt`` apart (the first velocity is the raw difference)."""
    if n_obs < 2 or dt <= 0:
        return math.inf
    alpha = 1 - math.exp(-dt / tau)
    c = np.zeros(n_obs)  # weights of positions p_0 .. p_{n-1} in the velocity
    c[0], c[1] = -1 / dt, 1 / dt
    for k in range(2, n_obs):
        c = (1 - alpha) * c
        c[k] += alpha / dt
        c[k - 1] -= alpha / dt
    return float(np.sqrt((c**2).sum()))


def metres_per_pixel(h: np.ndarray, point: np.ndarray) -> float:
    """RMS ground metres per image pixel at ``point`` (Frobenius norm of the Jacobian / sqrt 2)."""
    x, y = float(point[0]), float(point[1])
    w = h @ np.array([x, y, 1.0])
    gx, gy = w[0] / w[2], w[1] / w[2]
    jac = np.array(
        [
            [(h[0, 0] - gx * h[2, 0]) / w[2], (h[0, 1] - gx * h[2, 1]) / w[2]],
            [(h[1, 0] - gy * h[2, 0]) / w[2], (h[1, 1] - gy * h[2, 1]) / w[2]],
        ]
    )
    return float(np.linalg.norm(jac) / math.sqrt(2))


def calibration_relative_error(
    cal: CalibrationConfig, point: np.ndarray, vel_px: np.ndarray
) -> float:
    """Relative standard error of a speed measured at ``point`` moving ``vel_px`` px/s."""
    if cal.point_error_m == 0 and cal.point_error_px == 0:
        return 0.0
    img = np.asarray(cal.image_points, np.float64)
    wld = np.asarray(cal.world_points, np.float64)
    path = np.array([point, point + vel_px], np.float64).reshape(-1, 1, 2)
    rng = np.random.default_rng(0)
    speeds = []
    for _ in range(SAMPLES):
        i = img + rng.normal(0, cal.point_error_px, img.shape)
        w = wld + rng.normal(0, cal.point_error_m, wld.shape)
        h, _ = cv2.findHomography(i.reshape(-1, 1, 2), w.reshape(-1, 1, 2), 0)
        if h is None:
            continue
        g = cv2.perspectiveTransform(path, h).reshape(-1, 2)
        speeds.append(float(np.hypot(*(g[1] - g[0]))))
    s = np.array(speeds)
    if len(s) < SAMPLES // 2 or s.mean() <= 0:
        return math.inf
    return float(s.std() / s.mean())


def speed_uncertainty(
    speed_ms: float,
    cal: CalibrationConfig,
    h: np.ndarray,
    point: np.ndarray,
    vel_px: np.ndarray,
    *,
    jitter_px: float,
    n_obs: int,
    dt: float,
    tau: float,
) -> float:
    """Expanded (k = 2) uncertainty of ``speed_ms``, in m/s."""
    rel = calibration_relative_error(cal, point, vel_px)
    jitter = jitter_px * metres_per_pixel(h, point) * ema_noise_gain(n_obs, dt, tau)
    return COVERAGE_K * math.hypot(speed_ms * rel, jitter)


def calibration_record(cal: CalibrationConfig, h: np.ndarray) -> dict[str, object]:
    """What a violation carries of the calibration it was measured through."""
    return {
        "name": cal.name,
        "image_points": [list(p) for p in cal.image_points],
        "world_points": [list(p) for p in cal.world_points],
        "homography": np.round(h, 9).tolist(),
        "point_error_m": cal.point_error_m,
        "point_error_px": cal.point_error_px,
    }
