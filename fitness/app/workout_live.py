"""A live workout as the page shows it: its sets, the plan it follows, the rest, what to say.

:class:`Workout` is a frozen value: :class:`~fitness.app.live_state.LiveState` replaces it as
sets start, gain reps and end (on the webcam's callback thread), the page renders
:meth:`Workout.board` and the :class:`~fitness.app.announce.Announcer` speaks
:meth:`Workout.announcements`. Nothing here touches Streamlit, a thread or a clock: the time is
always passed in, so every step of a workout is a plain function of its inputs.

Two clocks meet here. Where a set starts and ends in the *stream* (ms, the webcam's own
timestamps) is what the history stores (a set's span, the rest before it); when it did on the
*wall clock* (``time.time()`` seconds) is what the page counts the rest from, as the person
sees it.

A plan is followed step by step: "3 x 10 squats, 60 s rest" is three steps, each the item's
exercise, its target and the rest after it. Every set ended while a step is open does that step
(the coach counts the step's exercise); once every step is done the plan is complete, and any
further set is a free one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final, Literal

from fitness.engine.fatigue import velocity_loss
from fitness.engine.registry import REGISTRY
from fitness.engine.values import Rep
from fitness.store.values import Plan
from fitness.text import clock, plural

# "Next: push-ups, set 2 of 3" is said this long before a planned rest ends: time to get into
# position. A rest not much longer than that gets both sentences at once, when it starts.
NEXT_CALL_S: Final = 10
JOIN_CALLS_UNDER_S: Final = 15

BoardState = Literal["waiting", "set", "rest", "complete"]


def exercise_name(key: str) -> str:
    spec = REGISTRY.get(key)
    return spec.name if spec is not None else key


def many(key: str) -> str:
    """The exercise's name for several of them, as said aloud: "squats", "push-ups", "crunches"."""
    name = exercise_name(key).lower()
    return f"{name}es" if name.endswith(("s", "ch", "sh", "x")) else f"{name}s"


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One set a plan asks for: set ``set_no`` of ``sets`` of item ``position``."""

    position: int
    item_id: int | None
    exercise: str
    set_no: int
    sets: int
    target_reps: int | None
    target_hold_s: int | None
    rest_s: int

    @property
    def hold(self) -> bool:
        return self.target_hold_s is not None

    def target(self) -> str:
        """ "10 squats", "30 s plank"."""
        if self.target_hold_s is not None:
            return f"{self.target_hold_s} s {exercise_name(self.exercise).lower()}"
        return f"{self.target_reps} {many(self.exercise)}"

    def which(self) -> str:
        """ "set 2 of 3"."""
        return f"set {self.set_no} of {self.sets}"


def plan_steps(plan: Plan) -> tuple[PlanStep, ...]:
    """The plan's sets in the order they are done: every set of an item, then the next item."""
    return tuple(
        PlanStep(pos, item.id, item.exercise, n, item.sets, item.target_reps, item.target_hold_s, item.rest_s)
        for pos, item in enumerate(plan.items)
        for n in range(1, item.sets + 1)
    )


def plan_label(plan: Plan) -> str:
    """ "Legs · 3 x 10 squats, 2 x 30 s plank": a plan in one line, to choose it by."""
    parts = [
        f"{i.sets} x {i.target_hold_s} s {exercise_name(i.exercise).lower()}"
        if i.target_hold_s is not None
        else f"{i.sets} x {i.target_reps} {many(i.exercise)}"
        for i in plan.items
    ]
    return f"{plan.name} · {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class LiveSet:
    """One set of the workout, ended or in progress. ``start_ms``/``end_ms`` are stream times
    (its first rep's start, its last rep's end); ``started_at``/``ended_at`` wall-clock ones."""

    index: int
    exercise: str
    start_ms: float
    end_ms: float
    started_at: float
    ended_at: float | None = None
    reps: tuple[Rep, ...] = ()
    hold_ms: int | None = None
    rest_before_s: float | None = None
    step: PlanStep | None = None
    flagged: bool = False  # the velocity-loss stop was raised in it

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def velocity_loss(self) -> float | None:
        """The set's velocity loss so far (a fraction; :mod:`fitness.engine.fatigue`)."""
        spec = REGISTRY.get(self.exercise)
        return velocity_loss(self.reps, by_side=spec is not None and spec.sides == "alternating")

    def done(self) -> str:
        """What it came to: "8 reps", "32 s"."""
        if self.hold_ms is not None and not self.reps:
            return f"{self.hold_ms / 1000:.0f} s"
        return plural(len(self.reps), "rep")


@dataclass(frozen=True, slots=True)
class Say:
    """A sentence to speak once (``key`` says which moment of the workout it belongs to)."""

    key: str
    text: str


@dataclass(frozen=True, slots=True)
class Board:
    """What the scoreboard shows at one moment: the timer (its label and seconds), a headline
    (the set and its target, or what comes next), the plan's progress and a fatigue alert.
    ``held_s``: in a hold's set, the time held so far (it takes the rep count's place)."""

    state: BoardState
    timer_label: str
    timer_s: float
    headline: str
    progress: str | None = None
    alert: str | None = None
    held_s: float | None = None

    @property
    def timer(self) -> str:
        """The timer as shown: m:ss, with a "+" once a planned rest has run over."""
        return f"+{clock(self.timer_s)}" if self.timer_label == "Rest over" else clock(self.timer_s)


@dataclass(frozen=True, slots=True)
class Workout:
    """The workout so far (see the module docstring). ``stop_at``: the velocity loss (a
    fraction) at which a set is flagged to stop, ``None`` for no alert."""

    plan_id: int | None = None
    plan_name: str | None = None
    steps: tuple[PlanStep, ...] = ()
    stop_at: float | None = None
    sets: tuple[LiveSet, ...] = ()

    @classmethod
    def following(cls, plan: Plan | None, stop_at: float | None = None) -> Workout:
        """A workout about to start: free, or following ``plan``."""
        if plan is None:
            return cls(stop_at=stop_at)
        return cls(plan.id, plan.name, plan_steps(plan), stop_at)

    # -- where it stands --------------------------------------------------------------------
    @property
    def current(self) -> LiveSet | None:
        """The set in progress (None between sets)."""
        return self.sets[-1] if self.sets and self.sets[-1].running else None

    @property
    def last(self) -> LiveSet | None:
        return self.sets[-1] if self.sets else None

    @property
    def planned(self) -> bool:
        return bool(self.steps)

    @property
    def steps_done(self) -> int:
        """Plan steps done: sets ended that did a step."""
        return sum(1 for s in self.sets if s.step is not None and not s.running)

    @property
    def complete(self) -> bool:
        return self.planned and self.steps_done >= len(self.steps)

    @property
    def step(self) -> PlanStep | None:
        """The plan step being done (a set in progress) or next (between sets); None without a
        plan or once it is complete."""
        current = self.current
        if current is not None:
            return current.step
        return self.steps[self.steps_done] if self.steps_done < len(self.steps) else None

    def exercise_to_count(self, default: str) -> str:
        """What the coach counts in the next set: the plan step's exercise, else ``default``."""
        step = self.step
        return step.exercise if step is not None else default

    def rep_offset(self) -> int:
        """Reps in the sets before the last one: the history numbers reps through a workout."""
        return sum(len(s.reps) for s in self.sets[:-1])

    # -- what happens ---------------------------------------------------------------------
    def start_set(self, exercise: str, start_ms: float, started_at: float) -> Workout:
        """A set begins (its first rep, or a hold's start): the plan's next step, if any."""
        if self.current is not None:
            raise ValueError(f"set {self.current.index} is still in progress")
        previous = self.last
        rest = None if previous is None else max(0.0, (start_ms - previous.end_ms) / 1000.0)
        made = LiveSet(len(self.sets) + 1, exercise, start_ms, start_ms, started_at, rest_before_s=rest, step=self.step)
        return replace(self, sets=(*self.sets, made))

    def add_rep(self, rep: Rep) -> Workout:
        """A rep of the set in progress."""
        current = self._running("add a rep")
        reps = (*current.reps, rep)
        updated = replace(current, reps=reps, end_ms=max(current.end_ms, float(rep.end_ms)))
        loss = updated.velocity_loss
        flagged = current.flagged or (self.stop_at is not None and loss is not None and loss >= self.stop_at)
        return self._with_last(replace(updated, flagged=flagged))

    def remove_rep(self) -> Workout:
        """The last set's newest rep taken back (undo)."""
        last = self.last
        if last is None or not last.reps:
            raise ValueError("the workout has no rep to take back")
        reps = last.reps[:-1]
        end = float(reps[-1].end_ms) if reps else last.start_ms
        return self._with_last(replace(last, reps=reps, end_ms=end))

    def hold(self, hold_ms: int, t_ms: float) -> Workout:
        """The hold in progress has lasted ``hold_ms`` by stream time ``t_ms``."""
        current = self._running("time a hold")
        return self._with_last(replace(current, hold_ms=hold_ms, end_ms=max(current.end_ms, t_ms)))

    def end_set(self, ended_at: float, *, end_ms: float | None = None, hold_ms: int | None = None) -> Workout:
        """The set in progress ended (its rest began at wall time ``ended_at``)."""
        current = self._running("end a set")
        return self._with_last(
            replace(
                current,
                ended_at=ended_at,
                end_ms=current.end_ms if end_ms is None else end_ms,
                hold_ms=current.hold_ms if hold_ms is None else hold_ms,
            )
        )

    def with_stop_at(self, stop_at: float | None) -> Workout:
        return replace(self, stop_at=stop_at)

    def _running(self, what: str) -> LiveSet:
        current = self.current
        if current is None:
            raise ValueError(f"no set is in progress to {what}")
        return current

    def _with_last(self, changed: LiveSet) -> Workout:
        return replace(self, sets=(*self.sets[:-1], changed))

    # -- what is shown and said -------------------------------------------------------------
    def rest_s(self, now: float) -> float | None:
        """Seconds since the last set ended (None in a set or before the first)."""
        last = self.last
        if last is None or last.ended_at is None:
            return None
        return max(0.0, now - last.ended_at)

    def rest_left_s(self, now: float) -> float | None:
        """Of the planned rest after the last set, what is left (negative once over); None
        without one (a free set, the plan's last set, or in a set)."""
        last, rested = self.last, self.rest_s(now)
        if last is None or last.step is None or rested is None or self.complete:
            return None
        return last.step.rest_s - rested

    def board(self, now: float, started_at: float | None) -> Board:
        """The scoreboard at wall time ``now`` (``started_at``: when the stream started)."""
        progress = f"Plan {self.plan_name}: {self.steps_done} of {len(self.steps)} sets done" if self.planned else None
        current = self.current
        if current is not None:
            # The first set is timed from START, as the history files it; later ones from their first rep.
            since = started_at if current.index == 1 and started_at is not None else current.started_at
            held = current.hold_ms / 1000.0 if current.hold_ms is not None and not current.reps else None
            headline = self._set_headline(current)
            return Board("set", "Set time", max(0.0, now - since), headline, progress, self._alert(), held)
        if self.complete:
            return Board("complete", "Rest", self.rest_s(now) or 0.0, "Plan complete: every set done", progress)
        rested = self.rest_s(now)
        if rested is None:
            since = now if started_at is None else started_at
            return Board("waiting", "Set time", max(0.0, now - since), self._waiting_headline(), progress)
        left = self.rest_left_s(now)
        if left is None:
            label, shown = "Rest", rested
        else:
            label, shown = ("Rest left", left) if left > 0 else ("Rest over", -left)
        return Board("rest", label, shown, self._rest_headline(left), progress)

    def _set_headline(self, current: LiveSet) -> str:
        name = exercise_name(current.exercise)
        if current.step is not None:
            return f"{current.step.which().capitalize()} · target {current.step.target()}"
        return f"{name} · set {current.index}"

    def _waiting_headline(self) -> str:
        step = self.step
        if step is not None:
            return f"First: {exercise_name(step.exercise)}, {step.which()} · target {step.target()}"
        return "Start your first set: it is found as you move"

    def _rest_headline(self, left: float | None) -> str:
        step = self.step
        if step is not None:
            go = " · go when ready" if left is not None and left <= 0 else ""
            return f"Next: {exercise_name(step.exercise)}, {step.which()} · target {step.target()}{go}"
        return "Rest · the next set starts with its first rep"

    def _alert(self) -> str | None:
        current = self.current
        if current is None or not current.flagged or self.stop_at is None:
            return None
        loss = current.velocity_loss or 0.0
        return f"Stop the set: reps {loss:.0%} slower than your first (the {self.stop_at:.0%} limit)"

    def picture_line(self, now: float) -> str | None:
        """The line drawn along the bottom of the camera picture (full screen shows nothing
        else): the rest and what comes next, the stop alert in a set, the plan's end."""
        current = self.current
        if current is not None:
            alert = self._alert()
            return alert.split(" (")[0] if alert else None
        if self.complete:
            return "Plan complete"
        rested, left, step = self.rest_s(now), self.rest_left_s(now), self.step
        if rested is None:
            return None
        timer = f"Rest {clock(rested)}" if left is None else f"Rest {clock(left)}" if left > 0 else "Rest over"
        return timer if step is None else f"{timer} · next: {exercise_name(step.exercise)}, {step.which()}"

    def announcements(self, now: float) -> tuple[Say, ...]:
        """What is due to be said at ``now``, each with a key that never repeats within the
        workout: the stop alert in a set; when a set ends its rest (and, for a plan, what comes
        next, said again ``NEXT_CALL_S`` before the rest is up); the plan's completion."""
        last = self.last
        if last is None:
            return ()
        if last.running:
            alert = self._alert()
            return (Say(f"stop-{last.index}", alert.split(" (")[0]),) if alert else ()
        if self.complete:
            return (Say("complete", "Plan complete. Well done."),)
        step = self.step
        if last.step is None or step is None:
            return (Say(f"rest-{last.index}", f"Set {last.index} done: {last.done()}. Rest."),)
        rest = last.step.rest_s
        upcoming = f"Next: {many(step.exercise)}, {step.which()}"
        if rest < JOIN_CALLS_UNDER_S:
            return (Say(f"rest-{last.index}", f"Rest {rest} seconds. {upcoming}."),)
        said = [Say(f"rest-{last.index}", f"Rest {rest} seconds.")]
        left = self.rest_left_s(now)
        if left is not None and left <= NEXT_CALL_S:
            said.append(Say(f"next-{last.index}", f"{upcoming}."))
        return tuple(said)
