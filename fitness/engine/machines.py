"""The pure state machines behind every movement kind: no poses, no specs, only numbers.

- :class:`PhaseMachine`: hysteresis over a normalised extension for reps (a press is the same
  machine fed ``1 - e``: its start position is the flexed one);
- :class:`HoldClock`: seconds in a position, pausing while it breaks, with a grace for short
  breaks;
- :class:`SequenceMachine`: an ordered list of positions, counted when it completes.

Each is stepped frame by frame and tested on synthetic sequences with exact expectations.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Final, Literal

from fitness.engine.fields import about
from fitness.engine.spec import Phase

# A turn-back counts as a partial rep only if it went at least this far (a real attempt, not a sway).
PARTIAL_DEPTH: Final = 0.5
# The slowest rep anyone does: a 4 s lowering, a pause and a 4 s lift (the slow-tempo end of
# strength programmes; the slowest labelled squats take 7 s). A "rep" still under way after
# this long is a limb that left its start position for something else (another exercise's
# movement, walking off, a drink) and came back: it is dropped, not counted as one slow rep.
MAX_REP_MS: Final = 10_000.0
# A rep is under way in these phases (left the start position, not yet back).
ACTIVE_PHASES: Final = frozenset({Phase.FLEXING, Phase.FLEXED, Phase.EXTENDING})


@dataclass(frozen=True, slots=True)
class Cycle:
    """One completed start -> turning point -> start cycle, as the machine saw it."""

    start_ms: float
    bottom_ms: float
    end_ms: float


class PhaseMachine:
    """Hysteresis over a normalised extension ``e`` (1 = start position, 0 = turning point).

    ``step(t, None)`` means "no trustworthy value": the phase holds, and after ``max_gap_ms``
    without one the rep in progress is abandoned. A rep still under way ``max_rep_ms`` after it
    left the start position is abandoned too (:data:`MAX_REP_MS`): whether it is is a matter of
    time, not of how many frames a second were seen.
    """

    def __init__(self, min_rep_ms: float, max_gap_ms: float, max_rep_ms: float = math.inf) -> None:
        if min_rep_ms < 0 or max_gap_ms <= 0 or max_rep_ms <= min_rep_ms:
            raise ValueError(
                f"need min_rep_ms >= 0, max_gap_ms > 0 and max_rep_ms > min_rep_ms, got {min_rep_ms}, "
                f"{max_gap_ms}, {max_rep_ms}"
            )
        self.min_rep_ms = min_rep_ms
        self.max_gap_ms = max_gap_ms
        self.max_rep_ms = max_rep_ms
        self.partial = 0  # went more than halfway down, then turned back before the flexed threshold
        self.too_fast = 0  # full cycles quicker than the minimum rep duration
        self.started = False  # ever reached the start position (or joined a rep under way)
        # Set on the step a partial rep ended (back at the start without reaching the turning
        # point), for that step only: when it started, its furthest point, when it ended.
        self.turned_back: Cycle | None = None
        self.reset()

    def reset(self) -> None:
        """Forget the rep in progress: a new stream segment (scene cut, long gap)."""
        self.phase = Phase.SETUP
        self._fresh = True
        self._last_t: float | None = None
        self._top_t = 0.0
        self._start = 0.0
        self._bottom = (math.inf, 0.0)

    def abandon(self) -> None:
        """Drop the rep in progress: it turned into something else. Start over from the top."""
        self.reset()
        self._fresh = False

    def _begin(self, start: float, t: float, e: float) -> None:
        self.phase = Phase.FLEXING
        self.started = True
        self._start = start
        self._bottom = (e, t)

    def step(self, t_ms: float, e: float | None, confident: bool = True) -> Cycle | None:
        """Advance with extension ``e`` (``None``: nothing trustworthy on this frame).

        ``confident`` says the joints are clearly seen; only then may a fresh stream that
        starts between the thresholds be taken to have started from the start position.
        """
        self.turned_back = None
        if e is None or math.isnan(e):
            if self._last_t is not None and t_ms - self._last_t > self.max_gap_ms:
                self.reset()
            return None
        self._last_t = t_ms
        if self.phase in ACTIVE_PHASES and t_ms - self._start > self.max_rep_ms:
            self.abandon()
        fresh, self._fresh = self._fresh, False
        if self.phase is Phase.SETUP:
            if e >= 1.0:
                self.phase, self._top_t, self.started = Phase.EXTENDED, t_ms, True
            elif fresh and confident and e > 0.0:
                self._begin(t_ms, t_ms, e)  # joined mid-descent
            return None
        if self.phase is Phase.EXTENDED:
            if e >= 1.0:
                self._top_t = t_ms
                return None
            self._begin(self._top_t, t_ms, e)
        if e < self._bottom[0]:
            self._bottom = (e, t_ms)
        # One sample may cross several zones (low frame rates, fast moves): fall through.
        if self.phase is Phase.FLEXING:
            if e >= 1.0:
                # Back up without reaching the turning point; only a real attempt is worth a note.
                if self._bottom[0] < PARTIAL_DEPTH:
                    self.partial += 1
                    self.turned_back = Cycle(self._start, self._bottom[1], t_ms)
                self.phase, self._top_t = Phase.EXTENDED, t_ms
                return None
            if e > 0.0:
                return None
            self.phase = Phase.FLEXED
        if self.phase is Phase.FLEXED:
            if e <= 0.0:
                return None
            self.phase = Phase.EXTENDING
        if e <= 0.0:  # EXTENDING, back down again: a bounce at the bottom
            self.phase = Phase.FLEXED
        elif e >= 1.0:
            self.phase, self._top_t = Phase.EXTENDED, t_ms
            if t_ms - self._start >= self.min_rep_ms:
                return Cycle(self._start, self._bottom[1], t_ms)
            self.too_fast += 1
        return None


HoldState = Literal["in", "out", "unknown"]


@dataclass(frozen=True, slots=True)
class Break:
    """A stretch of a hold when the position or form was lost (longer than the grace): from the
    last frame in position to the first one back."""

    start_ms: int = field(metadata=about("Start", "ms"))
    end_ms: int = field(metadata=about("End", "ms"))
    reason: str = field(metadata=about("Reason", max_len=200))
    # the form rule broken, or "position" / "moving" / "away"
    id: str = field(default="position", metadata=about("Why", max_len=50, example="position"))

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, object]:
        return {
            "t_s": round(self.start_ms / 1000.0, 2),
            "duration_s": round(self.duration_ms / 1000.0, 2),
            "reason": self.reason,
            "id": self.id,
        }


class HoldClock:
    """Seconds held: the time between consecutive frames that are both in position.

    ``"unknown"`` (the joints that judge the position are not seen) is bridged: when the
    position is seen again, held, the unseen stretch counts as held (a person holding a wall sit
    while the camera zooms in on their face is still holding it); when the hold breaks, or the
    stream ends, before it is seen again, the unseen stretch does not count. A break (``"out"``)
    pauses the clock at once; one that lasts ``grace_ms`` or more is reported with the reason
    first given, shorter ones are forgiven (a flicker of the keypoints, a breath) but never
    counted as held.
    """

    def __init__(self, grace_ms: float) -> None:
        if grace_ms < 0:
            raise ValueError(f"grace_ms must be >= 0, got {grace_ms}")
        self.grace_ms = grace_ms
        self.held_ms = 0.0
        self.breaks: list[Break] = []
        self.started = False
        self.holding = False
        self._last_t: float | None = None
        self._last_ok: float | None = None  # the last frame in position (or unseen while holding)
        self._pending = 0.0  # unseen time since the last frame in position, counted if it resumes
        self._bridge = 0.0  # unseen time before the current break, counted if the break is forgiven
        self._out: tuple[float, str, str] | None = None  # when the current break began, why, its id

    def step(self, t_ms: float, state: HoldState, reason: str = "", reason_id: str = "position") -> None:
        dt = 0.0 if self._last_t is None else t_ms - self._last_t
        self._last_t = t_ms
        if state == "unknown":
            if self.holding:
                self._pending += dt
                self._last_ok = t_ms
            return
        if state == "in":
            if self.holding:
                self.held_ms += self._pending + dt
            elif self._out is not None and self._last_ok is not None and t_ms - self._last_ok < self.grace_ms:
                self.held_ms += self._bridge  # a forgiven flicker does not undo what was held unseen
            self._close_break(t_ms)
            self.holding = self.started = True
            self._last_ok = t_ms
        else:
            if self.holding:
                # The clock stopped after the last frame seen in position.
                self._out = (
                    self._last_ok if self._last_ok is not None else t_ms,
                    reason or "out of position",
                    reason_id,
                )
                self._bridge = self._pending
            self.holding = False
        self._pending = 0.0

    def _close_break(self, t_ms: float) -> None:
        if self._out is not None and self._last_ok is not None:
            start, reason, reason_id = self._out
            if t_ms - self._last_ok >= self.grace_ms:
                self.breaks.append(Break(round(start), round(t_ms), reason, reason_id))
        self._out = None
        self._bridge = 0.0

    def finish(self) -> None:
        """End of stream: a break still open at the end is the end of the hold, not a break,
        and time unseen since the last frame in position is not counted."""
        self._out = None
        self._pending = self._bridge = 0.0


@dataclass(frozen=True, slots=True)
class Pass:
    """One completed pass through a sequence of positions."""

    start_ms: float
    middle_ms: float  # when the position furthest from the start was reached
    end_ms: float


class SequenceMachine:
    """Positions ``0 .. n-1`` visited in order, each held for ``dwell_ms``, count one pass.

    ``matches[i]`` says whether this frame is in position ``i`` (``None``: nobody seen). A
    pass that stalls for longer than ``max_pass_ms`` is forgotten, and so is one the person
    was out of sight for longer than ``max_gap_ms`` (as :class:`PhaseMachine` forgets a rep):
    what they did unseen is not a pass. When the last position is also the first (stand ->
    plank -> stand) the end of one pass is the start of the next.
    """

    def __init__(self, n: int, dwell_ms: float, max_pass_ms: float, cyclic: bool, max_gap_ms: float = math.inf) -> None:
        if n < 2:
            raise ValueError(f"a sequence needs at least two positions, got {n}")
        if dwell_ms < 0 or max_pass_ms <= 0 or max_gap_ms <= 0:
            raise ValueError(
                f"need dwell_ms >= 0, max_pass_ms > 0 and max_gap_ms > 0, got {dwell_ms}, {max_pass_ms}, {max_gap_ms}"
            )
        self.n, self.dwell_ms, self.max_pass_ms, self.cyclic = n, dwell_ms, max_pass_ms, cyclic
        self.max_gap_ms = max_gap_ms
        self.reached = -1  # the last position reached, -1 before the first
        self.started = False
        self._since: tuple[int, float] | None = None  # a candidate next position and when it began
        self._times: list[float] = []
        self._seen_t: float | None = None  # the last frame with someone to match

    def reset(self) -> None:
        self.reached = -1
        self._since = None
        self._times = []

    def step(self, t_ms: float, matches: tuple[bool, ...] | None) -> Pass | None:
        if self._seen_t is not None and t_ms - self._seen_t > self.max_gap_ms:
            self.reset()
        if matches is None:
            self._since = None
            return None
        self._seen_t = t_ms
        if self.reached >= 0:
            if matches[self.reached]:
                self._times[-1] = t_ms  # still there: the pass starts when the position is left
            elif t_ms - self._times[-1] > self.max_pass_ms:
                self.reset()
        nxt = self.reached + 1
        if not matches[nxt]:
            self._since = None
            return None
        if self._since is None or self._since[0] != nxt:
            self._since = (nxt, t_ms)
        if t_ms - self._since[1] < self.dwell_ms:
            return None
        self._since = None
        self.reached = nxt
        self._times.append(t_ms)
        self.started = True
        if nxt < self.n - 1:
            return None
        times = self._times
        done = Pass(times[0], times[len(times) // 2], t_ms)
        self.reached, self._times = (0, [t_ms]) if self.cyclic else (-1, [])
        return done


class RangeWindow:
    """How far a value has wandered over the last ``window_ms``: a hold is still.

    The range leaves out the single highest and lowest value once there are five or more, so
    one glitched frame does not read as movement; real movement spreads over many frames.
    """

    def __init__(self, window_ms: float) -> None:
        if window_ms <= 0:
            raise ValueError(f"window_ms must be positive, got {window_ms}")
        self.window_ms = window_ms
        self._values: deque[tuple[float, float]] = deque()

    def reset(self) -> None:
        self._values.clear()

    def update(self, t_ms: float, value: float) -> float:
        """Add ``value`` (nan is skipped) and return the range so far (0 with one value)."""
        if not math.isnan(value):
            self._values.append((t_ms, value))
        while self._values and self._values[0][0] < t_ms - self.window_ms:
            self._values.popleft()
        if not self._values:
            return 0.0
        vals = sorted(v for _, v in self._values)
        if len(vals) >= 5:
            vals = vals[1:-1]
        return vals[-1] - vals[0]
