"""State shared between the webcam frame callback and the Streamlit page, with no ``st.*`` in it.

streamlit-webrtc calls the frame callback on its own worker thread, while the page reads what
happened from the script thread (and from a fragment that refreshes twice a second). The two
meet in :class:`LiveState`: the callback writes counts, the current phase/angle/cue and errors
under a lock, the page takes an immutable :class:`LiveSnapshot`. The pose estimator and rep
counter (:class:`fitness.pipeline.live.LiveCoach`) are touched by the callback thread only: a LiteRT
interpreter must never be shared between threads.

Also here, as plain functions and small classes so they can be unit-tested without a browser:

- :class:`RateMeter` (frames per second over a sliding window),
- :class:`FrameGate` (cap the inference rate; frames over the cap are passed through with the
  previous overlay redrawn, so the video stays smooth and latency never builds up),
- :class:`CueThrottle` and :class:`Announcer` (when to beep and what to say, without nagging),
  and the small browser snippets that do it (:func:`announcement_html`) or that say when there
  is no usable camera (:func:`camera_check_html`),
- :class:`AnalysisView` (an upload's analysis, kept across reruns),
- :func:`parse_ice_servers` (the ``FITNESS_ICE_SERVERS`` environment variable),
- :func:`guard_streamer_context` (the streamlit-webrtc 0.79.0 stale-context work-around).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from fitness.engine.values import Rep
from fitness.store.recorder import EndReason, angle_trace

if TYPE_CHECKING:
    from fitness.pipeline.stream import AnalysisResult

log = logging.getLogger(__name__)

RECENT_REPS = 8
TRACE_STEP_MS = 100.0  # the live angle trace kept for the history: 10 samples a second


class Recorder(Protocol):
    """What the live page needs from :class:`fitness.store.recorder.SessionRecorder`."""

    def add(self, rep: Rep, extra: Mapping[str, Any] | None = None) -> Any: ...

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> Any: ...


class Coach(Protocol):
    """What the callback needs from :class:`fitness.pipeline.live.LiveCoach`."""

    @property
    def exercise(self) -> str: ...

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, Any]: ...

    def redraw(self, frame_rgb: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """What the person chose on the page before pressing START."""

    profile: str = "default"
    exercise: str = "auto"
    variant: str = "lightning"
    max_fps: float = 30.0


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    """A consistent copy of :class:`LiveState` for the page to render."""

    armed: bool = False
    session_id: int | None = None
    exercise: str | None = None
    reps: int = 0
    recent: tuple[Rep, ...] = ()  # newest first
    phase: str | None = None
    angle: float | None = None
    cue: str | None = None
    note: str | None = None
    started_at: float | None = None  # wall clock (time.time())
    ended_at: float | None = None
    end_reason: str | None = None
    frames_in: int = 0
    frames_processed: int = 0
    frames_dropped: int = 0  # arrived while the callback was busy and never looked at
    frames_capped: int = 0  # over the rate cap: the last overlay redrawn, no model run
    fps_in: float = 0.0
    fps_processed: float = 0.0
    process_ms: float = 0.0  # model + counting + drawing per processed frame (moving average)
    last_frame_at: float | None = None  # time.monotonic() of the newest frame
    error: str | None = None
    errors: int = 0

    @property
    def recording(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    def elapsed_s(self, now: float | None = None) -> float:
        """Set duration so far (or in total once ended)."""
        if self.started_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else (time.time() if now is None else now)
        return max(0.0, end - self.started_at)


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


RepSink = Callable[[Rep], None]
CoachFactory = Callable[[LiveSettings, RepSink], Coach]
# (settings, exercise actually counted) -> (recorder, session id)
RecorderFactory = Callable[[LiveSettings, str], tuple[Recorder, int | None]]


class LiveState:
    """The meeting point of the frame callback (writer) and the page (reader).

    Lifecycle: the page calls :meth:`arm` when the stream starts (START pressed) and
    :meth:`disarm` when it stops. The first frame after arming starts the set (timer, fresh
    pose tracker and counter) and opens the history session, so a camera that never delivers a
    frame leaves no empty session behind. With ``exercise="auto"`` the session opens at the
    first rep instead, once the recogniser knows what is being done, so the history never files
    a set under "auto". Every rep goes to the recorder the moment it completes (the recorder
    commits it), so a tab closed mid-set keeps every completed rep.
    """

    def __init__(self, coach_factory: CoachFactory, recorder_factory: RecorderFactory) -> None:
        self._coach_factory = coach_factory
        self._recorder_factory = recorder_factory
        self._lock = threading.Lock()
        # Only the callback thread uses the coach, gate and clock; `_process_lock` is there
        # in case the library ever overlaps two callbacks, so they never share an interpreter.
        self._process_lock = threading.Lock()
        self._coach: Coach | None = None
        self._coach_settings: LiveSettings | None = None
        self._set_generation = -1
        self._gate = FrameGate()
        self._clock = StreamClock()
        # A failure repeating on every frame would write 30 tracebacks a second.
        self._log_throttle = CueThrottle(min_gap_s=0.0, repeat_after_s=30.0)
        # Guarded by _lock:
        self._settings = LiveSettings()
        self._armed = False
        self._generation = 0  # bumped on every arm/disarm, so a stopped set is never reused
        self._recorder: Recorder | None = None
        self._recorder_generation = -1
        self._snap = LiveSnapshot()
        self._in = RateMeter()
        self._done = RateMeter()
        self._armed_at = (0.0, 0)  # (monotonic time, frames_in) when the stream was armed
        # The set's primary angle over time (stream ms), saved with every rep and at the end.
        self._trace_t: list[float] = []
        self._trace_angle: list[float | None] = []
        self._first_frame_at: float | None = None  # monotonic time of the stream's first frame

    # -- page side ------------------------------------------------------------------------

    def configure(self, settings: LiveSettings) -> None:
        """Settings for the next set (the page disables the widgets while streaming)."""
        with self._lock:
            self._settings = settings

    @property
    def settings(self) -> LiveSettings:
        with self._lock:
            return self._settings

    @property
    def armed(self) -> bool:
        with self._lock:
            return self._armed

    @property
    def process_ms(self) -> float:
        """Moving average of what one processed frame costs (0 before the first)."""
        with self._lock:
            return self._snap.process_ms

    @property
    def generation(self) -> int:
        """Changes on every arm and disarm: identifies one stream."""
        with self._lock:
            return self._generation

    def arm(self) -> int:
        """The stream is (about to be) live: the next frame starts a set. Returns its generation."""
        with self._lock:
            if self._armed:
                return self._generation
            self._armed = True
            self._generation += 1
            self._in.reset()
            self._done.reset()
            self._snap = LiveSnapshot(armed=True, frames_in=self._snap.frames_in)
            self._armed_at = (time.monotonic(), self._snap.frames_in)
            self._first_frame_at = None
            return self._generation

    def disarm(self, reason: EndReason = "stopped") -> None:
        """The stream has stopped (STOP, camera gone, page left): end the set and its session."""
        with self._lock:
            if not self._armed and self._recorder is None:
                return
            recorder, self._recorder = self._recorder, None
            running = self._snap.recording
            if self._armed:
                self._log_stream_summary()
            self._armed = False
            self._generation += 1
            self._snap = replace(
                self._snap,
                armed=False,
                ended_at=time.time() if running else self._snap.ended_at,
                end_reason=reason if running else self._snap.end_reason,
            )
        if recorder is not None:
            try:
                recorder.finish(reason, extra=self._trace_extra())
            except Exception as exc:
                log.exception("could not close the live session")
                self._set_error(f"Could not close the session in the history: {exc}")

    def _log_stream_summary(self) -> None:
        # Called with _lock held. Where the frames went is what tells a slow machine from a
        # slow pipeline, so every stream leaves this line in the log.
        snap, (armed_at, in0), first = self._snap, self._armed_at, self._first_frame_at
        if first is None or snap.last_frame_at is None:
            log.info("live stream ended after %.1f s without a frame", time.monotonic() - armed_at)
            return
        seconds = max(snap.last_frame_at - first, 1e-9)
        received = snap.frames_in - in0
        log.info(
            "live stream: first frame %.2f s after START, then %.1f s with %d frames received (%.1f fps), "
            "%d processed (%.1f fps, %.1f ms each), %d dropped while busy, %d over the rate cap, %d reps",
            first - armed_at, seconds, received, (received - 1) / seconds, snap.frames_processed,
            snap.frames_processed / seconds, snap.process_ms, snap.frames_dropped, snap.frames_capped, snap.reps,
        )  # fmt: skip

    def stream_ended(self, generation: int) -> None:
        """The camera stream of ``generation`` ended (``on_video_ended``). A late notice from a
        stream that was already stopped must not end the set a new START has begun."""
        with self._lock:
            current = self._generation == generation and self._armed
        if current:
            self.disarm("stopped")

    def snapshot(self) -> LiveSnapshot:
        now = time.monotonic()
        with self._lock:
            return replace(self._snap, fps_in=self._in.rate(now), fps_processed=self._done.rate(now))

    def clear_error(self) -> None:
        with self._lock:
            self._snap = replace(self._snap, error=None)

    # -- callback side ----------------------------------------------------------------------

    def process(self, frame_rgb: np.ndarray, frame_time_s: float | None = None, skipped: int = 0) -> np.ndarray:
        """Run one webcam frame through the pipeline; never raises.

        ``skipped``: frames that arrived while the previous one was being processed and were
        dropped in favour of this newer one (counted as received, not processed).
        Returns the annotated frame, or the frame unchanged when the stream is not armed or
        the pipeline failed (the error is logged and kept for the page to show).
        """
        now = time.monotonic()
        with self._lock:
            for _ in range(skipped + 1):
                self._in.tick(now)
            if self._armed and self._first_frame_at is None:
                self._first_frame_at = now
            self._snap = replace(
                self._snap,
                frames_in=self._snap.frames_in + 1 + skipped,
                frames_dropped=self._snap.frames_dropped + skipped,
                last_frame_at=now,
            )
            armed, generation, settings = self._armed, self._generation, self._settings
        if not armed:
            return frame_rgb
        with self._process_lock:
            try:
                if self._set_generation != generation:
                    self._start_set(settings, generation)
                coach = self._ensure_coach(settings)
                if not self._gate.admit(now if frame_time_s is None else frame_time_s):
                    self._count_capped()
                    return coach.redraw(frame_rgb)
                # Timed from here: loading the model for a new set is not what a frame costs.
                started = time.monotonic()
                t_ms = self._clock(frame_time_s, now)
                out, result = coach.process(frame_rgb, t_ms)
            except Exception as exc:
                message = f"Processing a frame failed ({type(exc).__name__}: {exc}); the stream goes on."
                if self._log_throttle.decide(message, now):
                    log.exception("the live pipeline failed on a frame")
                self._set_error(message)
                return frame_rgb
        done = time.monotonic()
        self._after_frame(result, coach.exercise, done, (done - started) * 1000.0, t_ms)
        return out

    def _start_set(self, settings: LiveSettings, generation: int) -> None:
        # A fresh coach per set: counts start from zero and the pose tracker forgets the last set.
        self._coach = None
        self._set_generation = generation
        with self._lock:
            if self._generation != generation:
                return
            self._trace_t, self._trace_angle = [], []
            self._snap = replace(
                self._snap,
                session_id=None,
                started_at=time.time(),
                ended_at=None,
                end_reason=None,
                reps=0,
                recent=(),
                exercise=None if settings.exercise == "auto" else settings.exercise,
                error=None,
            )
        if settings.exercise != "auto":
            self._open_session(settings, settings.exercise, generation)

    def _ensure_coach(self, settings: LiveSettings) -> Coach:
        if self._coach is None or self._coach_settings != settings:
            self._coach = self._coach_factory(settings, self.on_rep)
            self._coach_settings = settings
            self._gate = FrameGate(settings.max_fps)
            self._clock.reset()
        return self._coach

    def _open_session(self, settings: LiveSettings, exercise: str, generation: int) -> None:
        with self._lock:
            if self._recorder_generation == generation:
                return
            self._recorder_generation = generation
        try:
            recorder, session_id = self._recorder_factory(settings, exercise)
        except Exception as exc:
            # Counting still works without the history; the page says so.
            log.exception("could not start a live session in the history")
            self._set_error(f"This set is not being saved: could not start a session in the history ({exc})")
            return
        with self._lock:
            stale = self._generation != generation  # stopped while the session was being opened
            if not stale:
                self._recorder = recorder
                self._snap = replace(self._snap, session_id=session_id)
        if stale:
            recorder.finish("stopped")

    def on_rep(self, rep: Rep) -> None:
        """Called (on the callback thread, from inside the coach) for every completed rep.

        Reps are numbered 1, 2, 3... per set here: with ``auto`` the recogniser may switch the
        counter it reports mid-set, and the history needs one index per rep.
        """
        with self._lock:
            armed, generation, settings = self._armed, self._generation, self._settings
            need_session = armed and self._recorder is None and self._recorder_generation != generation
        if need_session and self._coach is not None:
            self._open_session(settings, self._coach.exercise, generation)
        with self._lock:
            rep = replace(rep, index=self._snap.reps + 1)
            recorder = self._recorder
            self._snap = replace(self._snap, reps=rep.index, recent=(rep, *self._snap.recent)[:RECENT_REPS])
        log.info(
            "rep %d: %.2f-%.2f s (bottom %.2f s), %.0f-%.0f deg, %s",
            rep.index, rep.start_ms / 1000, rep.end_ms / 1000, rep.bottom_ms / 1000, rep.min_angle, rep.max_angle,
            rep.verdict,
        )  # fmt: skip
        if recorder is None:
            return
        try:
            recorder.add(rep, extra=self._trace_extra())
        except Exception as exc:
            # Counting goes on; the person is told the history missed a rep.
            log.exception("could not save rep %d", rep.index)
            self._set_error(f"Rep {rep.index} could not be saved to the history: {exc}")

    def _after_frame(self, result: Any, exercise: str, now: float, took_ms: float, t_ms: float) -> None:
        cues = tuple(getattr(result, "cues", ()) or ())
        notes = tuple(getattr(result, "notes", ()) or ())
        phase = getattr(result, "phase", None)
        angle = getattr(result, "angle", None)
        with self._lock:
            if not self._trace_t or t_ms - self._trace_t[-1] >= TRACE_STEP_MS:
                self._trace_t.append(t_ms)
                self._trace_angle.append(None if angle is None else float(angle))
            self._done.tick(now)
            self._snap = replace(
                self._snap,
                frames_processed=self._snap.frames_processed + 1,
                process_ms=took_ms if self._snap.process_ms == 0 else 0.9 * self._snap.process_ms + 0.1 * took_ms,
                exercise=exercise,
                phase=None if phase is None else str(getattr(phase, "value", phase)),
                angle=None if angle is None else float(angle),
                cue=cues[0] if cues else None,
                note=notes[0] if notes else None,
            )

    def _trace_extra(self) -> dict[str, Any]:
        with self._lock:
            return {"trace": angle_trace(self._trace_t, self._trace_angle)}

    def _count_capped(self) -> None:
        with self._lock:
            self._snap = replace(self._snap, frames_capped=self._snap.frames_capped + 1)

    def _set_error(self, message: str) -> None:
        with self._lock:
            self._snap = replace(self._snap, error=message, errors=self._snap.errors + 1)


class PipelineCoach:
    """:class:`fitness.pipeline.live.LiveCoach` plus :meth:`redraw` for the frames the gate skips."""

    def __init__(self, settings: LiveSettings, on_rep: RepSink) -> None:
        from fitness.pipeline.live import LiveCoach
        from fitness.pose.estimator import load_estimator

        # One interpreter thread: the other core decodes and encodes the WebRTC video.
        estimator = load_estimator(settings.variant, threads=1)
        self._coach = LiveCoach(settings.exercise, estimator, on_rep=on_rep)

    @property
    def exercise(self) -> str:
        return self._coach.exercise

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> tuple[np.ndarray, Any]:
        out, result = self._coach.process(frame_rgb, t_ms)
        if log.isEnabledFor(logging.DEBUG):
            # What the counter saw, frame by frame (FITNESS_LOG_LEVEL=DEBUG): enough to replay
            # a live miscount, which cannot be reproduced from the video file alone.
            pose = self._coach.last_pose
            points = None if pose is None else np.round(pose.keypoints, 3).tolist()
            log.debug(
                "frame %.0f ms: %s %s e=%s angle=%s phase=%s reps=%d pose=%s",
                t_ms, result.view, result.signal,
                None if result.extension is None else round(result.extension, 3),
                None if result.angle is None else round(result.angle, 1),
                result.phase.value, result.reps, points,
            )  # fmt: skip
        return out, result

    def redraw(self, frame_rgb: np.ndarray) -> np.ndarray:
        from fitness.engine.registry import REGISTRY
        from fitness.pipeline.video_analysis import annotate

        result = self._coach.last_result
        if result is None:
            return frame_rgb
        return annotate(frame_rgb, self._coach.last_pose, result, REGISTRY[self._coach.exercise])


@dataclass
class AnalysisView:
    """A finished upload analysis kept in the page's session across reruns (so pressing Save
    does not analyse again). It lives here, not in the page script: Streamlit re-executes the
    script on every run, so a class defined there would be a new class each time and an
    object stored in the session would no longer be an instance of it."""

    name: str
    size: int
    exercise: str
    variant: str
    profile: str
    result: AnalysisResult
    video_path: Path | None
    workdir: Path
    saved_id: int | None = None
    warnings: list[str] = field(default_factory=list)


# -- sound and speech ---------------------------------------------------------------------


@dataclass
class CueThrottle:
    """Say a cue when it is new, never more often than every ``min_gap_s``, and the same cue
    again only after ``repeat_after_s``: a coach who repeats "go lower" on every rep is the
    complaint people have about these apps."""

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


@dataclass(frozen=True, slots=True)
class Announcement:
    """One thing for the browser to do; ``key`` makes each one play exactly once."""

    event_id: int
    beep: bool = False
    say: str | None = None
    stream: str = ""  # the page session it belongs to: the tab's storage outlives a reload

    @property
    def key(self) -> str:
        return f"fitness-announce-{self.stream}-{self.event_id}"


@dataclass
class Announcer:
    """Turns successive snapshots into beeps and spoken cues (state lives in the session)."""

    throttle: CueThrottle = field(default_factory=CueThrottle)
    token: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    _seen_reps: int = 0
    _session: int | None = None
    _events: int = 0

    def update(self, snap: LiveSnapshot, now: float, *, beep: bool, speak: bool) -> Announcement | None:
        if snap.session_id != self._session or snap.reps < self._seen_reps:
            # A new set: no beep for reps counted before we looked, no stale cue memory.
            self._session, self._seen_reps = snap.session_id, snap.reps
            self.throttle.reset()
        new_rep = snap.reps > self._seen_reps
        self._seen_reps = snap.reps
        if not snap.recording:
            return None
        say = self.throttle.decide(snap.cue, now) if speak else None
        do_beep = beep and new_rep
        if not (do_beep or say):
            return None
        self._events += 1
        return Announcement(self._events, do_beep, say, self.token)


def announcement_html(item: Announcement) -> str:
    """A tiny page that beeps and/or speaks once (WebAudio + the browser's speechSynthesis)."""
    # JSON is valid JavaScript; "<" escaped so a cue can never close the <script> early.
    say = json.dumps(item.say or "").replace("<", "\\u003c")
    beep = "true" if item.beep else "false"
    return f"""<script>
(() => {{
  const key = "{item.key}";
  const store = window.parent.sessionStorage;
  if (store.getItem(key)) return;
  store.setItem(key, "1");
  if ({beep}) {{
    try {{
      const ac = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ac.createOscillator(); const gain = ac.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.15;
      osc.connect(gain); gain.connect(ac.destination);
      osc.start(); osc.stop(ac.currentTime + 0.12);
    }} catch (e) {{}}
  }}
  const text = {say};
  if (text && "speechSynthesis" in window) {{
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(new SpeechSynthesisUtterance(text));
  }}
}})();
</script>"""


def camera_check_html() -> str:
    """A line under the camera view saying, in words, when the browser has no usable camera
    (and nothing when it has one).

    The webcam component itself only shows the browser's exception name after START
    ("NotFoundError: Requested device not found"), and never tells the server. This asks the
    browser up front: no camera at all, camera access blocked for the site, or a page that is
    not a secure context (cameras only work on https or localhost).
    """
    return """<style>body { margin: 0; }</style>
<div id="camera-check" style="font-family: 'Source Sans Pro', sans-serif; font-size: 13px; line-height: 1.4;
     color: #6b6b6b;"></div>
<script>
(async () => {
  const out = document.getElementById("camera-check");
  const say = (text, warn) => {
    out.textContent = text;
    if (warn) { out.style.color = "#8a4b00"; out.style.fontWeight = "600"; }
  };
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) {
    say("This browser blocks cameras on this address: open the app as http://localhost or over https.", true);
    return;
  }
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    if (!devices.some(d => d.kind === "videoinput")) {
      say("No camera found: connect a webcam and reload the page, or analyse a recorded video instead.", true);
      return;
    }
    if (navigator.permissions) {
      const state = (await navigator.permissions.query({name: "camera"})).state;
      if (state === "denied") {
        say("Camera access is blocked for this site: allow it in the browser's site settings, then reload.", true);
        return;
      }
    }
    // A camera is there: nothing to say.
  } catch (e) {
    say("Could not check the camera (" + e.name + "). Press START to try it.", true);
  }
})();
</script>"""


# -- configuration and the streamlit-webrtc work-around ------------------------------------


def parse_ice_servers(raw: str | None) -> list[dict[str, Any]]:
    """``FITNESS_ICE_SERVERS`` (JSON list of RTCIceServer dicts) -> the list; none by default.

    An empty list keeps WebRTC on the local network: no STUN request leaves the machine, which
    is what localhost needs and what works offline.
    """
    if raw is None or not raw.strip():
        return []
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"FITNESS_ICE_SERVERS is not valid JSON: {exc.msg} (at character {exc.pos})") from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) and "urls" in v for v in value):
        raise ValueError('FITNESS_ICE_SERVERS must be a JSON list like [{"urls": ["stun:stun.example.org:3478"]}]')
    return value


def guard_streamer_context(context: Any, remounted: bool, reset: Callable[[Any], None]) -> None:
    """Make streamlit-webrtc 0.79.0 keep a freshly started stream alive.

    The library resets a context whose ``_last_rendered_run_count`` is more than one behind
    the session's ``script_run_count``, to clean up after a page switch. But Streamlit bumps
    ``script_run_count`` on its event-loop thread when it *sends* the "script finished"
    message, while the next run (often already started by the component's own rerun during
    signalling) reads it on the script thread: when the send lands after that read, one run
    sees the same count as the previous one and the run after it sees a jump of two, so the
    check kills the stream it just started (about one START in five here).

    So: clear the field before every call (the library skips its check when it is ``None``
    and sets it again itself), and do the clean-up the check was for ourselves, from a signal
    that has no race: the page knows whether the live page was the last page rendered.
    """
    if context is None:
        return
    if remounted:
        reset(context)
    if hasattr(context, "_last_rendered_run_count"):
        context._last_rendered_run_count = None
