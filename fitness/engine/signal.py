"""One body side's count signal, frame by frame: smoothed, normalised, gated by requirements.

A spec's signal is its primary measure (or, when the view foreshortens it, its height
fallback), averaged with any extra channels, smoothed with a One-Euro filter and normalised to
an *extension* ``e`` (1 at the extended threshold, 0 at the flexed one). A requirement that
fails, or a joint that is not seen, leaves ``e`` empty for that frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from fitness.engine.context import FrameContext
from fitness.engine.spec import Channel, ExerciseSpec, HeightSignal, Side

# Visibility is a moving average of the counted joints' scores that follows a change in about
# 0.15 s (its time constant: a fifth of the way per frame at 30 fps). In time, not frames: per
# frame, the same rate would follow twice as fast when the model reads 15 frames a second, and
# the side a counter follows would switch on a glimpse.
VISIBILITY_TAU_S: Final = 0.15
# The first frame after a reset has no interval to weigh: it moves as one 30 fps frame would.
VISIBILITY_FIRST: Final = 1.0 - math.exp(-1.0 / 30.0 / VISIBILITY_TAU_S)
# Extra channels are clamped to this band before averaging, so one signal far past its
# threshold cannot make up for another that has not moved.
CHANNEL_CLAMP: Final = (-0.25, 1.25)
# A "when=flexed" requirement is checked once the signal is within a quarter of its range of
# the flexed threshold (or past it): the bottom of the movement, not the way there.
FLEXED_CHECK: Final = 0.25


@dataclass(frozen=True, slots=True)
class SignalConfig:
    smoothing_min_cutoff: float = 1.5  # Hz
    smoothing_beta: float = 0.5  # per unit of normalised extension per second
    ref_decay_per_s: float = 0.03  # how fast a reference length (longest seen) forgets


class ScalarOneEuro:
    """The One-Euro filter (Casiez et al. 2012) for one float, in plain Python: the engine
    filters a few values per spec per frame, where numpy's per-call overhead would dominate."""

    def __init__(self, min_cutoff: float, beta: float, derivate_cutoff: float = 1.0) -> None:
        self.min_cutoff, self.beta, self.derivate_cutoff = min_cutoff, beta, derivate_cutoff
        self.reset()

    def reset(self) -> None:
        self._t: float | None = None
        self._raw = 0.0
        self._x = 0.0
        self._dx = 0.0

    @staticmethod
    def _alpha(cutoff: float, frequency: float) -> float:
        return 1.0 / (1.0 + frequency / (2.0 * math.pi * cutoff))

    def __call__(self, value: float, t_s: float) -> float:
        if self._t is None:
            self._t, self._raw, self._x, self._dx = t_s, value, value, 0.0
            return value
        if t_s <= self._t:
            return value
        frequency = 1.0 / (t_s - self._t)
        self._t = t_s
        dv = (value - self._raw) * frequency
        self._raw = value
        self._dx += self._alpha(self.derivate_cutoff, frequency) * (dv - self._dx)
        a = self._alpha(self.min_cutoff + self.beta * abs(self._dx), frequency)
        self._x += a * (value - self._x)
        return self._x


@dataclass(slots=True)
class Reading:
    """One side's signal on one frame."""

    e: float | None = None
    angle: float | None = None  # the primary measure, smoothed (degrees or a ratio)
    signal: str = "angle"  # "angle" (the primary and its channels) or "height" (the fallback)
    missing: tuple[str, ...] = ()
    unmet: str | None = None
    visibility: float = 0.0
    confidence: float = 0.0
    rebased: bool = False  # relative references were dropped (the view changed): drop the rep too


def normalise(value: float, extended: float, flexed: float) -> float:
    return (value - flexed) / (extended - flexed)


class _Smoothed:
    """One measure (or height ratio) through its own filter and optional reference length."""

    def __init__(self, span: float, cfg: SignalConfig, relative: bool) -> None:
        self.filter = ScalarOneEuro(cfg.smoothing_min_cutoff, cfg.smoothing_beta / span)
        self.relative = relative
        self.decay = cfg.ref_decay_per_s
        self.ref = 0.0
        self.ref_t = 0.0

    def reset(self) -> None:
        self.filter.reset()
        self.ref = 0.0

    def reference(self, length: float, t_s: float) -> float:
        # Foreshortening only ever shortens a length: the longest seen lately is the true one.
        self.ref = max(length, self.ref * math.exp(-self.decay * max(0.0, t_s - self.ref_t)))
        self.ref_t = t_s
        return self.ref

    def __call__(self, value: float, t_s: float) -> float | None:
        if self.relative:
            ref = self.reference(value, t_s)
            if ref <= 1e-6:
                return None
            value = value / ref
        return self.filter(value, t_s)


class SideSignal:
    """Filters, reference lengths and visibility of one body side's count signal."""

    def __init__(self, spec: ExerciseSpec, side: Side, cfg: SignalConfig | None = None) -> None:
        self.spec, self.side = spec, side
        self.cfg = cfg or SignalConfig()
        self._primary_names = spec.primary.names(side)
        ext, flex = spec.extended, spec.flexed
        self._bounds = (ext, flex) if ext is not None and flex is not None else None
        span = abs(ext - flex) if ext is not None and flex is not None else 1.0
        self._primary = _Smoothed(span, self.cfg, relative=spec.relative)
        self._channels = [(c, _Smoothed(abs(c.extended - c.flexed), self.cfg, c.relative)) for c in spec.channels]
        fb = spec.fallback
        self._height = (
            _Smoothed(abs(fb.extended - fb.flexed), self.cfg, relative=isinstance(fb, Channel) and fb.relative)
            if fb is not None
            else None
        )
        self._fb_names = (fb.names(side) if isinstance(fb, HeightSignal) else fb.measure.names(side)) if fb else ()
        self._relative = [s for s in (self._primary, *(sm for _, sm in self._channels)) if s.relative]
        self._view: str | None = None
        self.visibility = 0.0
        self._seen_s: float | None = None  # when visibility was last updated

    def reset(self) -> None:
        self._view = None
        self._primary.reset()
        for _, smoothed in self._channels:
            smoothed.reset()
        if self._height is not None:
            self._height.reset()
        self.visibility = 0.0
        self._seen_s = None

    def rescale(self) -> None:
        """The picture was zoomed or panned: lengths in pixels start afresh, angles carry on."""
        for smoothed in self._relative:
            smoothed.reset()
        if self._height is not None:
            self._height.reset()

    def _height_e(self, ctx: FrameContext, fb: HeightSignal, t_s: float) -> float | None:
        assert ctx.pose is not None and self._height is not None
        ref = self._height.reference(fb.length(ctx.pose, self.side), t_s)
        if ref <= 1e-6:
            return None
        height = self._height.filter(fb.gap(ctx.pose, self.side) / ref, t_s)
        return normalise(height, fb.extended, fb.flexed)

    def _channel_e(
        self, ctx: FrameContext, channel: Channel, smoothed: _Smoothed | None, t_s: float, clamp: bool = True
    ) -> float | None:
        raw = ctx.value(channel.measure, self.side)
        if math.isnan(raw) or smoothed is None:
            return None
        value = smoothed(raw, t_s)
        if value is None:
            return None
        e = normalise(value, channel.extended, channel.flexed)
        lo, hi = CHANNEL_CLAMP
        return min(hi, max(lo, e)) if clamp else e

    def read(self, ctx: FrameContext, use_fallback: bool) -> Reading:
        spec, t_s = self.spec, ctx.t_ms / 1000.0
        scores = [ctx.score(n) for n in self._primary_names]
        last, self._seen_s = self._seen_s, t_s
        rate = VISIBILITY_FIRST if last is None else 1.0 - math.exp(-max(0.0, t_s - last) / VISIBILITY_TAU_S)
        self.visibility += rate * (sum(scores) / len(scores) - self.visibility)
        reading = Reading(visibility=self.visibility, confidence=min(scores))
        if ctx.rescaled:
            self.rescale()
        if ctx.view is not None:
            if self._relative and self._view is not None and ctx.view != self._view:
                # A length seen from one side means nothing from another (a crossfade to a new
                # camera is not a cut): start the reference afresh, and the rep with it.
                for smoothed in self._relative:
                    smoothed.reset()
                reading.rebased = True
            self._view = ctx.view
        raw = ctx.value(spec.primary, self.side)
        if not math.isnan(raw):
            reading.angle = self._primary(raw, t_s)
        fb = spec.fallback
        if use_fallback and fb is not None and not ctx.missing(self._fb_names):
            e = (
                self._height_e(ctx, fb, t_s)
                if isinstance(fb, HeightSignal)
                else self._channel_e(ctx, fb, self._height, t_s, clamp=False)
            )
            if e is not None:
                reading.e, reading.signal = e, "height"
        else:
            reading.e = self._combined_e(ctx, reading.angle, t_s)
            if reading.e is None:
                reading.missing = ctx.missing(self._primary_names)
        reading.unmet = self._unmet(ctx, reading.e)
        if reading.unmet is not None:
            reading.e = None
        return reading

    def _combined_e(self, ctx: FrameContext, angle: float | None, t_s: float) -> float | None:
        primary = None if angle is None or self._bounds is None else normalise(angle, *self._bounds)
        if not self._channels:
            return primary
        lo, hi = CHANNEL_CLAMP
        parts = [] if primary is None else [min(hi, max(lo, primary))]
        for channel, smoothed in self._channels:
            e = self._channel_e(ctx, channel, smoothed, t_s)
            if e is not None:
                parts.append(e)
        return sum(parts) / len(parts) if parts else None

    def _unmet(self, ctx: FrameContext, e: float | None) -> str | None:
        for req in self.spec.requirements:
            if req.when == "flexed" and (e is None or e >= FLEXED_CHECK):
                continue
            value = ctx.value(req.measure, self.side)
            if not math.isnan(value) and not req.holds(value):
                return req.message
        return None
