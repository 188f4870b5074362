"""How often things happen on the live page: frames in, frames through the model, words said.

Plain classes over explicit timestamps (seconds on any monotonic clock), so they are unit-tested
without a camera or a browser:

- :class:`RateMeter`: events per second over a sliding window,
- :class:`FrameGate`: cap the inference rate (frames over the cap get the previous overlay
  redrawn, so the video stays smooth and latency never builds up),
- :func:`frames_to_run`: how much of a burst of queued webcam frames fits the latency budget,
- :class:`StreamClock`: strictly increasing pipeline milliseconds from WebRTC frame times,
- :class:`CueThrottle`: say something when it is new, never too often, the same thing rarely.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


class RateMeter:
    """Events per second over the last ``window_s`` seconds (monotonic timestamps)."""

    def __init__(self, window_s: float = 2.0) -> None:
        if window_s <= 0:
            raise ValueError(f"window_s must be positive, got {window_s}")
        self.window_s = window_s
        self._times: deque[float] = deque()

    def tick(self, now: float) -> None:
        self._times.append(now)
        self._trim(now)

    def _trim(self, now: float) -> None:
        while self._times and now - self._times[0] > self.window_s:
            self._times.popleft()

    def rate(self, now: float) -> float:
        self._trim(now)
        if len(self._times) < 2:
            return 0.0
        span = max(now - self._times[0], self._times[-1] - self._times[0])
        return (len(self._times) - 1) / span if span > 0 else 0.0

    def reset(self) -> None:
        self._times.clear()


class FrameGate:
    """Decides which frames get inference so the pipeline never runs faster than ``max_fps``.

    streamlit-webrtc (``async_processing=True``) already drops frames that queue up while the
    callback is busy; this gate adds the other half: a 60 fps webcam is processed at 30 fps and
    the frames in between get the last overlay redrawn, which costs a millisecond instead of a
    model run. Times are seconds on any monotonic clock.
    """

    def __init__(self, max_fps: float = 30.0, tolerance: float = 0.2) -> None:
        if max_fps <= 0:
            raise ValueError(f"max_fps must be positive, got {max_fps}")
        self.interval = 1.0 / max_fps
        # Camera clocks jitter: a 30 fps camera against a 30 fps cap must not lose every
        # other frame, so a frame a little early still passes, and the schedule advances by
        # whole intervals rather than restarting from each (early or late) frame.
        self._slack = self.interval * tolerance
        self._next: float | None = None

    def admit(self, now: float) -> bool:
        if self._next is not None and now < self._next - self.interval:
            self._next = None  # the clock went backwards (a restarted stream): start over
        if self._next is not None and now < self._next - self._slack:
            return False
        on_schedule = self._next is not None and now - self._next < self.interval
        self._next = (self._next if on_schedule and self._next is not None else now) + self.interval
        return True

    def reset(self) -> None:
        self._next = None


def frames_to_run(queued: int, per_frame_ms: float, budget_ms: float, max_frames: int = 8) -> int:
    """How many of the newest ``queued`` webcam frames to run through the pipeline now.

    WebRTC hands frames over in bursts (the sender pulls a frame, encodes it, pulls the next),
    so two to four frames often wait at once even when the pipeline keeps up on average.
    Running only the newest would lose those frames for good; running all of them after a
    stall would let latency build up. So: as many as fit in ``budget_ms`` at the current cost
    per frame, always at least the newest one, never more than ``max_frames`` (the cost
    estimate is zero until the first frame has been timed).
    """
    if queued <= 0:
        return 0
    if per_frame_ms <= 0:
        return min(queued, max_frames)
    return max(1, min(queued, max_frames, int(budget_ms // per_frame_ms)))


class StreamClock:
    """Strictly increasing milliseconds for the pipeline from whatever the frames carry.

    WebRTC frames carry a presentation time; it restarts with every new stream and can repeat.
    """

    def __init__(self) -> None:
        self._offset: float | None = None
        self._last = -1.0

    def __call__(self, frame_time_s: float | None, now: float) -> float:
        raw = now if frame_time_s is None else frame_time_s
        if self._offset is None:
            self._offset = raw
        t = (raw - self._offset) * 1000.0
        t = max(t, self._last + 1.0)
        self._last = t
        return t

    def reset(self) -> None:
        self._offset = None
        self._last = -1.0


@dataclass
class CueThrottle:
    """Say a cue when it is new, never more often than every ``min_gap_s``, and the same cue
    again only after ``repeat_after_s``: a coach who repeats "go lower" on every rep is the
    complaint people have about these apps. (The live state uses one for its log, too: a
    failure repeating on every frame is logged once, not 30 times a second.)"""

    min_gap_s: float = 4.0
    repeat_after_s: float = 20.0
    _last_text: str | None = None
    _last_at: float = field(default=-1e9)

    def decide(self, cue: str | None, now: float) -> str | None:
        if not cue:
            return None
        since = now - self._last_at
        if since < self.min_gap_s:
            return None
        if cue == self._last_text and since < self.repeat_after_s:
            return None
        self._last_text, self._last_at = cue, now
        return cue

    def reset(self) -> None:
        self._last_text, self._last_at = None, -1e9
