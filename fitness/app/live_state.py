"""State shared between the webcam frame callback and the Streamlit page, with no ``st.*`` in it.

streamlit-webrtc calls the frame callback on its own worker thread, while the page reads what
happened from the script thread (and from a fragment that refreshes twice a second). The two
meet in :class:`LiveState`: the callback writes counts, the current phase/angle/cue and errors
under a lock, the page takes an immutable :class:`LiveSnapshot`. The pose estimator and rep
counter (a :class:`Coach`, :class:`fitness.app.coach.PipelineCoach` in the app) are touched by
the callback thread only: a LiteRT interpreter must never be shared between threads.

:class:`LiveState` owns the stream lifecycle (arm, first frame, disarm, a late end-of-stream
notice), the fps accounting, the hand-off of every rep to the history recorder (and taking the
last one back), the angle trace, and what the picture shows: mirrored or not, always with
the count the page shows.

A stream is a workout (one history session) of sets: the coach finds where each set ends
(:class:`SetFinder`), every set is opened in the history at its first rep and closed when it
ends, and the rest between sets, the plan followed and what to announce are the
:class:`~fitness.app.workout_live.Workout` value in the snapshot. How often frames run is
:mod:`fitness.app.pacing`; what the browser says is :mod:`fitness.app.announce`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from fitness.app.pacing import CueThrottle, FrameGate, RateMeter, StreamClock
from fitness.app.workout_live import Workout
from fitness.engine.counter import FrameResult
from fitness.engine.values import Rep
from fitness.errors import FitnessError
from fitness.pipeline.hud import mirror_frame
from fitness.pipeline.live import ProvisionalHold, SetEnd, SetEndFn
from fitness.store.recorder import EndReason, SessionInfo, SessionRecorder, angle_trace
from fitness.store.values import Plan
from fitness.text import plural

if TYPE_CHECKING:
    from fitness.app.group_live import GroupSets, PlaceView
    from fitness.store import SessionStore

log = logging.getLogger(__name__)

RECENT_REPS = 8
TRACE_STEP_MS = 100.0  # the live angle trace kept for the history: 10 samples a second
# The cost per frame shown and used for catching up is a moving average: a new frame's time
# weighs this much, so one slow frame (a garbage collection, a busy core) moves it only a little.
PROCESS_MS_WEIGHT = 0.1


class Recorder(Protocol):
    """What the live state needs from :class:`fitness.store.recorder.SessionRecorder`."""

    def add(self, rep: Rep, extra: Mapping[str, Any] | None = None) -> object: ...

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> object: ...

    def remove_last(self) -> int:
        """Delete the newest saved rep of the session (also once it has ended); returns its index."""
        ...

    def start_set(
        self, exercise: str, start_ms: int, *, rest_before_ms: int | None, plan_item_id: int | None
    ) -> object:
        """Open the workout's next set (its reps go there from now on)."""
        ...

    def end_set(self, *, end_ms: int | None = None, hold_ms: int | None = None) -> None:
        """Record where the set in progress ended (and a hold's time)."""
        ...


class Coach(Protocol):
    """What the callback needs from a per-stream pipeline (:class:`fitness.app.coach.PipelineCoach`)."""

    @property
    def exercise(self) -> str | None: ...  # None: "auto" has not recognised anything yet

    def process(self, frame_rgb: np.ndarray, t_ms: float) -> FrameResult:
        """Estimate and count one frame (calling the rep sink for a rep completed on it)."""
        ...

    def draw(self, frame_rgb: np.ndarray, result: FrameResult, mirror: bool) -> np.ndarray:
        """The frame the person sees: the last pose and ``result`` drawn over ``frame_rgb``,
        flipped left to right when ``mirror`` (``frame_rgb`` itself is never changed)."""
        ...


@runtime_checkable
class SetFinder(Protocol):
    """A coach that finds where each set of a workout ends (:class:`fitness.pipeline.live.LiveCoach`)."""

    def follow_sets(self, on_set_end: SetEndFn) -> None:
        """Call ``on_set_end`` (on the callback thread) when a set ends; its answer is the
        exercise to count in the next set."""
        ...


@runtime_checkable
class HoldGuesser(Protocol):
    """A coach that, with auto, times a hold before it can name it for sure
    (:attr:`fitness.pipeline.live.LiveCoach.provisional`)."""

    @property
    def provisional(self) -> ProvisionalHold | None: ...


@runtime_checkable
class CrowdWatcher(Protocol):
    """A coach that also looks out for other people while it counts one."""

    def crowd_note(self, mirrored: bool) -> str | None:
        """ "2 people in view: counting the one on the left; turn on Group", or None."""
        ...


@dataclass(frozen=True, slots=True)
class LiveSettings:
    """What the person chose on the page before pressing START."""

    profile: str = "default"
    exercise: str = "auto"
    variant: str = "lightning"
    max_fps: float = 30.0
    # Group mode: a profile for each place in front of the camera, left to right as shown
    # (empty: one person, the profile above).
    group: tuple[str, ...] = ()
    plan: Plan | None = None  # the workout plan followed (None: a free workout)


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
    crowd: str | None = None  # one-person mode seeing others: "2 people in view: ..."
    places: tuple[PlaceView, ...] = ()  # Group mode: each place's set, left to right as shown
    # The stream's sets, rests and plan (``reps`` and ``recent`` are those of its last set).
    workout: Workout = field(default_factory=Workout)
    # With auto, a hold timed before it is recognised for sure: ``workout`` with that hold as
    # its running set, as a chosen exercise's hold is shown. Only shown, never saved: the set
    # is opened and closed in the history as the coach finds it ended.
    guess: Workout | None = None

    @property
    def shown_workout(self) -> Workout:
        """The workout as the scoreboard shows it: with the hold being timed, if there is one."""
        return self.guess if self.guess is not None else self.workout

    @property
    def recording(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    def elapsed_s(self, now: float | None = None) -> float:
        """Set duration so far (or in total once ended)."""
        if self.started_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else (time.time() if now is None else now)
        return max(0.0, end - self.started_at)

    def stalled(self, now: float, after_s: float) -> bool:
        """Streaming, but no frame for ``after_s`` seconds (``now``: ``time.monotonic()``)."""
        return self.armed and self.last_frame_at is not None and now - self.last_frame_at > after_s


RepSink = Callable[[Rep], None]
CoachFactory = Callable[[LiveSettings, RepSink], Coach]
GroupCoachFactory = Callable[[LiveSettings, "GroupSets"], Coach]
# (settings, exercise actually counted, wall-clock start of the set) -> (recorder, session id)
RecorderFactory = Callable[[LiveSettings, str, float], tuple[Recorder, int | None]]


class LiveState:
    """The meeting point of the frame callback (writer) and the page (reader).

    Lifecycle: the page calls :meth:`arm` when the stream starts (START pressed) and
    :meth:`disarm` when it stops. The first frame after arming starts the set (timer, fresh
    pose tracker and counter) and opens the history session, so a camera that never delivers a
    frame leaves no empty session behind. With ``exercise="auto"`` the session opens at the
    first rep instead, once the recogniser knows what is being done, so the history never files
    a set under "auto". Every rep goes to the recorder the moment it completes (the recorder
    commits it), so a tab closed mid-set keeps every completed rep.

    A stream is a workout: with a coach that is a :class:`SetFinder`, each set ends when the
    coach says so (a rest, the person away, another exercise) and the next begins at its first
    rep (or a hold's start), each opened and closed in the history as it happens, so a process
    killed mid-workout keeps every set and rep completed. With a plan (``LiveSettings.plan``)
    each set counts the plan step's exercise and the session records the plan.

    With ``LiveSettings.group`` a set is everyone in view (``group_factory``'s coach, one
    :class:`~fitness.app.group_live.GroupSets` per set): one session per place, each opened
    through ``recorder_factory`` under that place's profile; the scoreboard's count is everyone's.
    """

    def __init__(
        self,
        coach_factory: CoachFactory,
        recorder_factory: RecorderFactory,
        group_factory: GroupCoachFactory | None = None,
    ) -> None:
        self._coach_factory = coach_factory
        self._recorder_factory = recorder_factory
        self._group_factory = group_factory
        self._group: GroupSets | None = None  # the set's places in Group mode
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
        self._mirror = False
        # Every rep of the set (the count and `recent` are views of it), which of them the
        # history holds, and how many were taken back per side (the counter's own per-side
        # counts know nothing of an undo).
        self._set_reps: list[Rep] = []
        self._saved: set[int] = set()
        self._undone_sides: Counter[str] = Counter()
        # The set's recorder, kept after the set ends so its last rep can still be taken back.
        self._set_recorder: Recorder | None = None
        # Numbering a rep, saving it and counting it is one step, and so is taking it back:
        # an undo can never remove a rep that is half handed over.
        self._rep_lock = threading.Lock()
        self._last_result: FrameResult | None = None  # callback thread only
        self._t_ms = 0.0  # stream time of the frame being processed (callback thread only)
        self._stop_at: float | None = None  # the velocity-loss alert (guarded by _lock)

    # -- page side ------------------------------------------------------------------------

    def configure(self, settings: LiveSettings) -> None:
        """Settings for the next set (the page disables the widgets while streaming)."""
        with self._lock:
            self._settings = settings

    @property
    def settings(self) -> LiveSettings:
        with self._lock:
            return self._settings

    def set_fatigue_alert(self, stop_at: float | None) -> None:
        """Flag a set to stop once its velocity loss reaches ``stop_at`` (None: no alert);
        may change mid-set, taking effect from the next rep."""
        with self._lock:
            self._stop_at = stop_at
            self._snap = replace(self._snap, workout=self._snap.workout.with_stop_at(stop_at))

    def set_mirror(self, on: bool) -> None:
        """Show the picture as a mirror would (the pipeline still sees the camera's own frame)."""
        with self._lock:
            self._mirror = on
            group = self._group
        if group is not None:
            group.set_mirror(on)

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
            self._forget_set_reps()  # the last set is out of reach of undo from here on
            return self._generation

    def _forget_set_reps(self) -> None:
        # Called with _lock held.
        self._set_reps, self._saved, self._undone_sides = [], set(), Counter()
        self._set_recorder = None

    def disarm(self, reason: EndReason = "stopped") -> None:
        """The stream has stopped (STOP, camera gone, page left): end the set and its session."""
        with self._lock:
            if not self._armed and self._recorder is None:
                return
            recorder, self._recorder = self._recorder, None
            group = self._group
            running = self._snap.recording
            if self._armed:
                self._log_stream_summary()
            self._armed = False
            self._generation += 1
            workout, ended_at = self._snap.workout, time.time()
            open_set = workout.current
            if open_set is not None:
                workout = workout.end_set(ended_at)
            self._snap = replace(
                self._snap,
                armed=False,
                ended_at=ended_at if running else self._snap.ended_at,
                end_reason=reason if running else self._snap.end_reason,
                workout=workout,
            )
        if recorder is not None and open_set is not None:
            try:
                # The set in progress ends where its last rep did (a hold: its time so far).
                recorder.end_set(hold_ms=open_set.hold_ms if not open_set.reps else None)
            except Exception as exc:
                log.exception("could not end the last set in the history")
                self._set_error(f"The end of the last set could not be saved to the history: {exc}")
        if recorder is not None:
            try:
                recorder.finish(reason, extra=self._trace_extra())
            except Exception as exc:
                log.exception("could not close the live session")
                self._set_error(f"Could not close the session in the history: {exc}")
        if group is not None:
            group.finish(reason)

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
            "%d processed (%.1f fps, %.1f ms each), %d dropped while busy, %d over the rate cap, %s",
            first - armed_at, seconds, received, (received - 1) / seconds, snap.frames_processed,
            snap.frames_processed / seconds, snap.process_ms, snap.frames_dropped, snap.frames_capped,
            done_text(snap),
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
            snap = replace(self._snap, fps_in=self._in.rate(now), fps_processed=self._done.rate(now))
            group = self._group
        if group is None:
            return snap
        errors = group.errors
        error = snap.error or (errors[-1] if errors else None)
        return replace(snap, places=group.snapshot(), error=error, errors=snap.errors + len(errors))

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
            armed, generation, settings, mirror = self._armed, self._generation, self._settings, self._mirror
        if not armed:
            return mirror_frame(frame_rgb) if mirror else frame_rgb
        with self._process_lock:
            try:
                if self._set_generation != generation:
                    self._start_set(settings, generation)
                coach = self._ensure_coach(settings)
                if not self._gate.admit(now if frame_time_s is None else frame_time_s):
                    self._count_capped()
                    return self._draw(coach, frame_rgb, self._last_result, mirror)
                # Timed from here: loading the model for a new set is not what a frame costs.
                started = time.monotonic()
                t_ms = self._t_ms = self._clock(frame_time_s, now)
                result = coach.process(frame_rgb, t_ms)
                self._last_result = result
                out = self._draw(coach, frame_rgb, result, mirror)
            except Exception as exc:
                message = f"Processing a frame failed ({type(exc).__name__}: {exc}); the stream goes on."
                if self._log_throttle.decide(message, now):
                    log.exception("the live pipeline failed on a frame")
                self._set_error(message)
                return mirror_frame(frame_rgb) if mirror else frame_rgb
        done = time.monotonic()
        crowd = coach.crowd_note(mirror) if isinstance(coach, CrowdWatcher) else None
        guess = coach.provisional if isinstance(coach, HoldGuesser) else None
        self._after_frame(result, coach.exercise, done, (done - started) * 1000.0, t_ms, crowd=crowd, guess=guess)
        return out

    def _draw(self, coach: Coach, frame_rgb: np.ndarray, result: FrameResult | None, mirror: bool) -> np.ndarray:
        if result is None:
            return mirror_frame(frame_rgb) if mirror else frame_rgb
        return coach.draw(frame_rgb, self._as_shown(result), mirror)

    def _as_shown(self, result: FrameResult) -> FrameResult:
        """``result`` with the set's count as the page shows it, so the picture and the panel
        never disagree: reps numbered per set (with auto the recogniser may switch counters)
        and less the reps taken back; between sets, the rest as its bottom line."""
        with self._lock:
            reps, undone, workout = self._snap.reps, dict(self._undone_sides), self._snap.workout
        per_side = {side: max(0, n - undone.get(side, 0)) for side, n in result.per_side.items()}
        # Between sets the picture says so too (full screen shows nothing but the picture).
        line = workout.picture_line(time.time())
        notes = (line, *result.notes) if line and not result.cues else result.notes
        return replace(result, reps=reps, per_side=per_side, notes=notes)

    def _start_set(self, settings: LiveSettings, generation: int) -> None:
        # A fresh coach per stream: counts start from zero and the pose tracker forgets the last one.
        self._coach = None
        self._last_result = None
        self._set_generation = generation
        with self._lock:
            if self._generation != generation:
                return
            self._group = self._group_sets(settings, generation) if settings.group else None
            self._trace_t, self._trace_angle = [], []
            self._forget_set_reps()
            workout = Workout.following(None if settings.group else settings.plan, self._stop_at)
            first = workout.exercise_to_count(settings.exercise)
            self._snap = replace(
                self._snap,
                session_id=None,
                started_at=time.time(),
                ended_at=None,
                end_reason=None,
                reps=0,
                recent=(),
                exercise=None if first == "auto" else first,
                error=None,
                workout=workout,
            )
        if first != "auto" and not settings.group:
            self._open_session(settings, first, generation)

    def _group_sets(self, settings: LiveSettings, generation: int) -> GroupSets:
        # Called with _lock held, at the start of a set.
        from fitness.app.group_live import GroupSets

        started_at = self._snap.started_at if self._snap.started_at is not None else time.time()

        def open_session(profile: str, exercise: str) -> tuple[Recorder, int | None]:
            recorder, session_id = self._recorder_factory(replace(settings, profile=profile), exercise, started_at)
            with self._lock:
                stale = self._generation != generation  # stopped while the session was being opened
            if stale:
                recorder.finish("stopped")
            return recorder, session_id

        return GroupSets(settings.group, open_session, mirrored=self._mirror)

    def _ensure_coach(self, settings: LiveSettings) -> Coach:
        if self._coach is None or self._coach_settings != settings:
            if settings.group and self._group_factory is not None and self._group is not None:
                self._coach = self._group_factory(settings, self._group)
            else:
                with self._lock:
                    first = self._snap.workout.exercise_to_count(settings.exercise)
                self._coach = self._coach_factory(replace(settings, exercise=first), self.on_rep)
                if isinstance(self._coach, SetFinder):
                    self._coach.follow_sets(self._on_set_end)
            self._coach_settings = settings
            self._gate = FrameGate(settings.max_fps)
            self._clock.reset()
        return self._coach

    def _open_session(self, settings: LiveSettings, exercise: str, generation: int) -> None:
        with self._lock:
            if self._recorder_generation == generation:
                return
            self._recorder_generation = generation
            # With auto the session opens at the first rep, but the set began at its first
            # frame: the history's duration is the set time the page showed.
            started_at = self._snap.started_at if self._snap.started_at is not None else time.time()
        try:
            recorder, session_id = self._recorder_factory(settings, exercise, started_at)
        except Exception as exc:
            # Counting still works without the history; the page says so.
            log.exception("could not start a live session in the history")
            self._set_error(f"This set is not being saved: could not start a session in the history ({exc})")
            return
        with self._lock:
            stale = self._generation != generation  # stopped while the session was being opened
            if not stale:
                self._recorder = self._set_recorder = recorder
                self._snap = replace(self._snap, session_id=session_id)
        if stale:
            recorder.finish("stopped")

    def on_rep(self, rep: Rep) -> None:
        """Called (on the callback thread, from inside the coach) for every completed rep.

        Reps are numbered 1, 2, 3... per set here: with ``auto`` the recogniser may switch the
        counter it reports mid-set, and the history needs one index per rep (it numbers them
        through the workout). The first rep after a rest begins the next set.
        """
        with self._rep_lock:
            counted = None if self._coach is None else self._coach.exercise
            if counted is not None:
                self._ensure_session(counted)
                self._begin_set(counted, rep.start_ms)
            with self._lock:
                rep = replace(rep, index=self._snap.reps + 1)
                recorder = self._recorder
                self._set_reps.append(rep)
                workout = self._snap.workout
                workout = workout.add_rep(rep) if workout.current is not None else workout
                offset = workout.rep_offset()
                self._snap = replace(self._snap, reps=rep.index, recent=self._recent(), workout=workout)
            log.info(
                "rep %d: %.2f-%.2f s (bottom %.2f s), %.0f-%.0f deg, %s",
                rep.index, rep.start_ms / 1000, rep.end_ms / 1000, rep.bottom_ms / 1000, rep.min_angle,
                rep.max_angle, rep.verdict,
            )  # fmt: skip
            if recorder is None:
                return
            try:
                saved = recorder.add(replace(rep, index=offset + rep.index), extra=self._trace_extra())
            except Exception as exc:
                # Counting goes on; the person is told the history missed a rep.
                log.exception("could not save rep %d", rep.index)
                self._set_error(f"Rep {rep.index} could not be saved to the history: {exc}")
                return
            if saved is not False:  # SessionRecorder.add: False when the session had just ended
                with self._lock:
                    self._saved.add(rep.index)

    def _ensure_session(self, exercise: str) -> None:
        """With auto the session opens once the first set's exercise is known."""
        with self._lock:
            armed, generation, settings = self._armed, self._generation, self._settings
            need_session = armed and self._recorder is None and self._recorder_generation != generation
        if need_session:
            self._open_session(settings, exercise, generation)

    def _wall(self, t_ms: float) -> float:
        """Stream time ``t_ms`` on the wall clock, by the frame being processed (callback thread)."""
        return time.time() - max(0.0, self._t_ms - t_ms) / 1000.0

    def _begin_set(self, exercise: str, start_ms: float) -> None:
        """The workout's next set begins (its first rep, or a hold's start), unless one is in
        progress: counted from zero, and opened in the history (callback thread, _rep_lock held)."""
        with self._lock:
            workout = self._snap.workout
            if workout.current is not None or not self._armed:
                return
            workout = workout.start_set(exercise, start_ms, self._wall(start_ms))
            # The last set's reps are out of reach of undo from here on.
            self._set_reps, self._saved, self._undone_sides = [], set(), Counter()
            self._snap = replace(self._snap, reps=0, recent=(), workout=workout)
            recorder = self._recorder
        began = workout.current
        assert began is not None
        log.info("set %d begins: %s at %.2f s", began.index, exercise, start_ms / 1000)
        if recorder is None:
            return
        rest = None if began.rest_before_s is None else round(began.rest_before_s * 1000)
        try:
            recorder.start_set(
                exercise,
                round(start_ms),
                rest_before_ms=rest,
                plan_item_id=None if began.step is None else began.step.item_id,
            )
        except Exception as exc:
            log.exception("could not start set %d in the history", began.index)
            self._set_error(f"Set {began.index} could not be started in the history: {exc}")

    def _on_set_end(self, end: SetEnd) -> str:
        """The coach found that the set in progress ended (callback thread): it is closed here
        and in the history, and its rest begins. Returns the exercise to count next."""
        with self._rep_lock:
            with self._lock:
                settings, running = self._settings, self._snap.workout.current is not None
            if not running and end.hold_ms is not None:
                self._ensure_session(end.exercise)
                self._begin_set(end.exercise, end.start_ms)  # a hold the frames never showed begun
            with self._lock:
                workout = self._snap.workout
                if workout.current is None:
                    return workout.exercise_to_count(settings.exercise)
                workout = workout.end_set(self._wall(end.end_ms), end_ms=end.end_ms, hold_ms=end.hold_ms)
                self._snap = replace(self._snap, workout=workout)
                recorder = self._recorder
            if recorder is not None:
                try:
                    recorder.end_set(end_ms=round(end.end_ms), hold_ms=end.hold_ms)
                except Exception as exc:
                    log.exception("could not end the set in the history")
                    self._set_error(f"The end of the set could not be saved to the history: {exc}")
            return workout.exercise_to_count(settings.exercise)

    def _follow_hold(self, result: FrameResult, exercise: str, t_ms: float) -> None:
        """A hold's set begins when the position is first held, and keeps its time (callback thread)."""
        held = result.hold_ms or 0
        with self._rep_lock:
            with self._lock:
                running = self._snap.workout.current is not None
            if not running and result.holding:
                self._ensure_session(exercise)
                self._begin_set(exercise, t_ms - held)
            with self._lock:
                workout = self._snap.workout
                if workout.current is not None and not workout.current.reps and held > 0:
                    self._snap = replace(self._snap, workout=workout.hold(held, t_ms))

    def _recent(self) -> tuple[Rep, ...]:
        # Called with _lock held.
        return tuple(reversed(self._set_reps[-RECENT_REPS:]))

    def undo_last_rep(self, expected: int) -> str:
        """Take back rep ``expected``, the newest of the set (running or just ended): off the
        count, and out of the history. Returns what was done, in words.

        ``expected`` is the rep the person confirmed: when another rep has completed since,
        nothing is removed. Raises :class:`FitnessError` (nothing changed) for that, for a set
        without reps, and when the history cannot delete the rep.
        """
        with self._rep_lock:
            with self._lock:
                newest = self._set_reps[-1] if self._set_reps else None
                saved = newest is not None and newest.index in self._saved
                recorder = self._set_recorder
                offset = self._snap.workout.rep_offset()
            if newest is None:
                raise FitnessError("there is no rep to take back in this set")
            if newest.index != expected:
                raise FitnessError(
                    f"rep {expected} is no longer the last one (the set has {plural(newest.index, 'rep')}); "
                    "nothing was removed"
                )
            if saved and recorder is not None:
                try:
                    removed = recorder.remove_last()
                except Exception as exc:
                    log.exception("could not remove rep %d from the history", expected)
                    raise FitnessError(
                        f"could not remove rep {expected} from the history ({exc}); the count is unchanged"
                    ) from None
                if removed != offset + expected:
                    log.warning("undo removed rep %s from the history, expected rep %d", removed, offset + expected)
            with self._lock:
                self._set_reps.pop()
                self._saved.discard(expected)
                self._undone_sides[newest.side] += 1
                workout = self._snap.workout
                workout = workout.remove_rep() if workout.last is not None and workout.last.reps else workout
                self._snap = replace(self._snap, reps=expected - 1, recent=self._recent(), workout=workout)
        log.info("rep %d taken back (%s)", expected, "and deleted from the history" if saved else "count only")
        left = plural(expected - 1, "rep")
        if saved:
            return f"Rep {expected} removed from the count and from the history: {left} in this set."
        return f"Rep {expected} removed from the count (it was not in the history): {left} in this set."

    def _after_frame(
        self,
        result: FrameResult,
        exercise: str | None,
        now: float,
        took_ms: float,
        t_ms: float,
        *,
        crowd: str | None,
        guess: ProvisionalHold | None = None,
    ) -> None:
        angle = None if result.angle is None else float(result.angle)  # never a numpy scalar in the history
        with self._lock:
            workout = self._snap.workout
            shown = None
            if guess is not None and workout.current is None and self._group is None:
                # The way a chosen exercise's hold is shown (_follow_hold), on a copy never saved.
                began = workout.start_set(guess.exercise, guess.start_ms, self._wall(guess.start_ms))
                shown = began.hold(guess.held_ms, t_ms)
            if not self._trace_t or t_ms - self._trace_t[-1] >= TRACE_STEP_MS:
                self._trace_t.append(t_ms)
                self._trace_angle.append(angle)
            self._done.tick(now)
            cost = self._snap.process_ms
            self._snap = replace(
                self._snap,
                frames_processed=self._snap.frames_processed + 1,
                process_ms=took_ms if cost == 0 else cost + PROCESS_MS_WEIGHT * (took_ms - cost),
                exercise=exercise,
                phase=result.phase.value,
                angle=angle,
                cue=result.cues[0] if result.cues else None,
                note=result.note,
                crowd=crowd,
                # Group mode: the scoreboard counts everyone (the places' own counts are beside it).
                reps=result.reps if self._group is not None else self._snap.reps,
                guess=shown,
            )
            group = self._group
        if result.hold_ms is not None and exercise is not None and group is None:
            self._follow_hold(result, exercise, t_ms)

    def _trace_extra(self) -> dict[str, Any]:
        with self._lock:
            return {"trace": angle_trace(self._trace_t, self._trace_angle)}

    def _count_capped(self) -> None:
        with self._lock:
            self._snap = replace(self._snap, frames_capped=self._snap.frames_capped + 1)

    def _set_error(self, message: str) -> None:
        with self._lock:
            self._snap = replace(self._snap, error=message, errors=self._snap.errors + 1)


def done_text(snap: LiveSnapshot) -> str:
    """ "5 reps", or for a workout of several sets "2 sets, 8 reps"."""
    sets = snap.workout.sets
    if len(sets) <= 1:
        return plural(snap.reps, "rep")
    return f"{plural(len(sets), 'set')}, {plural(sum(len(s.reps) for s in sets), 'rep')}"


class LiveRecorder:
    """A :class:`SessionRecorder` (each rep committed as it completes) that can also take back
    its newest rep: the live page's undo. Satisfies :class:`Recorder`."""

    def __init__(self, store: SessionStore, info: SessionInfo, *, plan_id: int | None = None) -> None:
        self._store = store
        self._recorder = SessionRecorder(store, info, plan_id=plan_id)

    def start(self, started_at: datetime) -> int:
        return self._recorder.start(started_at=started_at)

    def add(self, rep: Rep, extra: Mapping[str, Any] | None = None) -> bool:
        return self._recorder.add(rep, extra)

    def finish(self, reason: EndReason = "completed", extra: Mapping[str, Any] | None = None) -> None:
        self._recorder.finish(reason, extra)

    def start_set(self, exercise: str, start_ms: int, *, rest_before_ms: int | None, plan_item_id: int | None) -> int:
        return self._recorder.start_set(exercise, start_ms, rest_before_ms=rest_before_ms, plan_item_id=plan_item_id)

    def end_set(self, *, end_ms: int | None = None, hold_ms: int | None = None) -> None:
        self._recorder.end_set(end_ms=end_ms, hold_ms=hold_ms)

    def remove_last(self) -> int:
        session_id = self._recorder.session_id
        if session_id is None:
            raise FitnessError("the set has no session in the history")
        return self._store.delete_last_rep(session_id)


def store_recorders(store: SessionStore | None) -> RecorderFactory:
    """Live sets recorded in ``store`` (a set still counts, and says it is not saved, without one)."""

    def factory(settings: LiveSettings, exercise: str, started_at: float) -> tuple[LiveRecorder, int | None]:
        if store is None:
            raise FitnessError("the history database is not available")
        recorder = LiveRecorder(
            store,
            SessionInfo(exercise=exercise, source="live", profile=settings.profile, model_variant=settings.variant),
            plan_id=None if settings.plan is None or settings.group else settings.plan.id,
        )
        return recorder, recorder.start(datetime.fromtimestamp(started_at, UTC))

    return factory
