"""One-Euro filter (Casiez et al. 2012), vectorised, as TF.js MoveNet smooths its keypoints.

The variant here follows MediaPipe/TF.js: the sampling frequency is re-estimated from the
timestamps, and an optional threshold turns the low-pass step into ``threshold * asinh(d /
threshold)`` so that small jitter is damped harder than real motion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class OneEuroConfig:
    frequency: float = 30.0
    min_cutoff: float = 1.0
    beta: float = 0.0
    derivate_cutoff: float = 1.0
    threshold_cutoff: float | None = None
    threshold_beta: float = 0.0

    def __post_init__(self) -> None:
        if self.frequency <= 0 or self.min_cutoff <= 0 or self.derivate_cutoff <= 0:
            raise ValueError(f"One-Euro frequency and cut-offs must be positive, got {self}")


# TF.js MoveNet's KEYPOINT_FILTER_CONFIG (values for coordinates normalised to the image).
MOVENET_KEYPOINT_FILTER = OneEuroConfig(
    frequency=30.0,
    min_cutoff=6.36,
    beta=636.61,
    derivate_cutoff=4.77,
    threshold_cutoff=0.5,
    threshold_beta=5.0,
)


def _alpha(cutoff: np.ndarray | float, frequency: float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + frequency / (2.0 * math.pi * np.asarray(cutoff))))


class OneEuroFilter:
    """Smooths an array of values (any shape) sampled at increasing timestamps (seconds)."""

    def __init__(self, config: OneEuroConfig = OneEuroConfig()) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._frequency = self.config.frequency
        self._last_t: float | None = None
        self._raw: np.ndarray | None = None
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def __call__(self, value: np.ndarray | float, t_s: float) -> np.ndarray:
        v = np.asarray(value, dtype=np.float64)
        if self._last_t is not None and t_s <= self._last_t:
            # Out-of-order or repeated timestamps carry no rate information.
            return v
        if self._last_t is not None:
            self._frequency = 1.0 / (t_s - self._last_t)
        self._last_t = t_s
        cfg = self.config
        if self._x is None or self._raw is None or self._dx is None or self._x.shape != v.shape:
            self._raw, self._x, self._dx = v.copy(), v.copy(), np.zeros_like(v)
            return v.copy()
        dv = (v - self._raw) * self._frequency
        self._dx = self._dx + _alpha(cfg.derivate_cutoff, self._frequency) * (dv - self._dx)
        speed = np.abs(self._dx)
        a = _alpha(cfg.min_cutoff + cfg.beta * speed, self._frequency)
        diff = v - self._x
        if cfg.threshold_cutoff is not None:
            thr = cfg.threshold_cutoff + cfg.threshold_beta * speed
            diff = thr * np.arcsinh(diff / thr)
        self._x = self._x + a * diff
        self._raw = v.copy()
        return self._x.copy()


class LowPass:
    """Exponential smoothing with a fixed alpha (TF.js uses 0.9 for the crop region)."""

    def __init__(self, alpha: float) -> None:
        if not 0 < alpha <= 1:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self.alpha = alpha
        self._value: np.ndarray | None = None

    def reset(self) -> None:
        self._value = None

    def __call__(self, value: np.ndarray) -> np.ndarray:
        v = np.asarray(value, dtype=np.float64)
        self._value = v.copy() if self._value is None else self._value + self.alpha * (v - self._value)
        return self._value.copy()
