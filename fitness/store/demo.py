"""A made-up but plausible training history, for demos, tests and timing the History page.

Several people train about once a day for as long as asked: three sets of a squat, push-up or
curl, each rep's angles and tempo drawn around what each exercise's spec calls extended and
flexed, getting a little deeper over the months and a little slower as a set tires. Cues are
the exercises' own (:attr:`~fitness.engine.spec.ExerciseSpec.rules`): a depth or lockout rule
fires exactly when the drawn angle breaks it, the other rules now and then, less often as the
person learns. Some live sessions keep an angle trace, as the live page does. The same seed
gives the same history.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from fitness.engine.registry import REGISTRY
from fitness.engine.spec import ExerciseSpec, FormRule
from fitness.engine.values import Cue, Rep, Verdict
from fitness.store.recorder import SessionInfo, angle_trace
from fitness.store.store import SessionStore

log = logging.getLogger(__name__)

TRACE_HZ: Final = 10  # angle samples a second in a saved trace, as the live page keeps them
TRACE_EVERY: Final = 4  # one live session in this many keeps its angle trace
SETS: Final = 3
REST_S: Final = (60.0, 120.0)  # between sets
DEEPER_OVER_TIME_DEG: Final = 8.0  # how much deeper the bottom gets over the whole history
TIRING_DEG_PER_REP: Final = 0.4  # a tiring set gets a little shallower
FORM_SLIP: Final = (0.12, 0.04)  # chance a rep breaks a non-angle rule: at the start, at the end
# Where a rep turns, in the counted angle: thighs about level in a squat (knee ~85 deg), chest
# near the floor in a push-up (elbow ~80), forearm well up in a curl (elbow ~50). Other
# exercises: well past the spec's "flexed" threshold.
TURN_DEG: Final = {"squat": 85.0, "pushup": 80.0, "curl": 50.0}
PAST_FLEXED_DEG: Final = 25.0
# Fully extended sits this far past the spec's "extended" threshold (a straight knee or elbow
# reads 160-175 deg on real footage).
PAST_EXTENDED_DEG: Final = 20.0


@dataclass(frozen=True, slots=True)
class Trainee:
    """Someone in the demo: what they train, when (local hour), how often they skip a day,
    and how many reps they aim for in a set."""

    name: str
    exercises: tuple[str, ...]
    hour: float
    skip: float
    reps: tuple[int, int]


TRAINEES: Final = (
    Trainee("ann", ("squat", "pushup"), 7.0, 0.6, (8, 12)),
    Trainee("bob", ("pushup", "curl"), 18.5, 0.65, (8, 12)),
    Trainee("carol", ("squat", "curl", "pushup"), 12.5, 0.8, (8, 12)),
)


@dataclass(frozen=True, slots=True)
class DemoSession:
    info: SessionInfo
    reps: tuple[Rep, ...]
    started_at: datetime
    ended_at: datetime


def _slipped(rule: FormRule, rng: random.Random) -> float:
    """A value just past ``rule``'s bound: a few degrees, or a few hundredths of a ratio."""
    step = rng.uniform(2.0, 12.0) if rule.unit == "deg" else rng.uniform(0.02, 0.12)
    return rule.max_value + step if rule.max_value is not None else (rule.min_value or 0.0) - step


def _rep(spec: ExerciseSpec, index: int, start_ms: int, *, progress: float, tiredness: int, rng: random.Random) -> Rep:
    """One rep at ``progress`` (0..1 through the history), ``tiredness`` reps into its set."""
    turn = TURN_DEG.get(spec.key, (spec.flexed or 0.0) - PAST_FLEXED_DEG)  # demo exercises count reps
    bottom = turn + DEEPER_OVER_TIME_DEG * (0.5 - progress) + TIRING_DEG_PER_REP * tiredness
    min_angle = round(rng.gauss(bottom, 7.0), 1)
    max_angle = round(min(179.0, rng.gauss((spec.extended or 180.0) + PAST_EXTENDED_DEG, 5.0)), 1)
    eccentric = round(rng.gauss(1250, 180))
    concentric = round(rng.gauss(850, 120) + 15 * tiredness)
    pause = round(rng.uniform(80, 250))  # at the bottom
    slip = FORM_SLIP[0] + (FORM_SLIP[1] - FORM_SLIP[0]) * progress
    cues: list[Cue] = []
    at_ms = start_ms + eccentric
    for rule in spec.rules:
        # A rule on the counted angle is judged on the drawn angles, as the counter would; the
        # others slip now and then, by a few units past their bound.
        if rule.measure == spec.primary:
            found = rule.judge([min_angle, max_angle], [at_ms, start_ms])
            measured = None if found is None else found.measured
        else:
            measured = _slipped(rule, rng) if rng.random() < slip else None
        if measured is not None:
            cues.append(Cue(rule.id, rule.cue, round(measured, 1), rule.unit, rule.target(), at_ms))
    verdict: Verdict = "needs_work" if cues else "good"
    return Rep(
        index=index,
        start_ms=start_ms,
        bottom_ms=start_ms + eccentric,
        end_ms=start_ms + eccentric + pause + concentric,
        min_angle=min_angle,
        max_angle=max_angle,
        rom_deg=round(max_angle - min_angle, 1),
        eccentric_ms=eccentric,
        concentric_ms=concentric,
        verdict=verdict,
        cues=tuple(cues),
        side=rng.choice(("left", "right")),
    )


def _trace(reps: tuple[Rep, ...], rest_deg: float) -> dict[str, list[object]]:
    """The angle over the session at TRACE_HZ: a smooth dip for each rep, standing between."""
    end = reps[-1].end_ms + 2000
    t_ms = [float(t) for t in range(0, end, 1000 // TRACE_HZ)]
    angle: list[float | None] = []
    k = 0
    for t in t_ms:
        while k < len(reps) - 1 and t > reps[k].end_ms:
            k += 1
        r = reps[k]
        if r.start_ms <= t <= r.bottom_ms:
            share = (t - r.start_ms) / max(1, r.bottom_ms - r.start_ms)
        elif r.bottom_ms < t <= r.end_ms:
            share = (r.end_ms - t) / max(1, r.end_ms - r.bottom_ms)
        else:
            angle.append(rest_deg)
            continue
        depth = (1 - math.cos(math.pi * share)) / 2
        angle.append(round(r.max_angle - depth * (r.max_angle - r.min_angle), 1))
    return angle_trace(t_ms, angle)


def demo_sessions(days: int, *, seed: int = 7, end: date | None = None) -> Iterator[DemoSession]:
    """About ``days`` days of training ending on ``end`` (default: yesterday), oldest first."""
    rng = random.Random(seed)
    last = end or (date.today() - timedelta(days=1))
    first = last - timedelta(days=days - 1)
    count = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        progress = offset / max(1, days - 1)
        for who in TRAINEES:
            if rng.random() < who.skip:
                continue
            exercise = who.exercises[(offset + len(who.name)) % len(who.exercises)]
            spec = REGISTRY[exercise]
            live = rng.random() < 0.85
            minutes = rng.gauss(who.hour * 60, 25)
            local = datetime.combine(day, time()) + timedelta(minutes=minutes)
            started = local.astimezone().astimezone(UTC)  # this machine's local time
            reps: list[Rep] = []
            t_ms = round(rng.uniform(2000, 6000))
            for _ in range(SETS):
                for tiredness in range(rng.randint(*who.reps)):
                    rep = _rep(spec, len(reps) + 1, t_ms, progress=progress, tiredness=tiredness, rng=rng)
                    reps.append(rep)
                    t_ms = rep.end_ms + round(rng.uniform(150, 600))
                t_ms += round(rng.uniform(*REST_S) * 1000)
            count += 1
            extra: dict[str, object] = {}
            if live and count % TRACE_EVERY == 0:
                extra["trace"] = _trace(tuple(reps), (spec.extended or 180.0) + PAST_EXTENDED_DEG)
            info = SessionInfo(
                exercise=exercise,
                source="live" if live else "video",
                profile=who.name,
                model_variant="lightning" if rng.random() < 0.8 else "thunder",
                video_name=None if live else f"{exercise}-{day.isoformat()}.mp4",
                extra=extra,
            )
            ended = started + timedelta(milliseconds=reps[-1].end_ms + 3000)
            yield DemoSession(info, tuple(reps), started, ended)


def write_demo(store: SessionStore, days: int, *, seed: int = 7, end: date | None = None) -> tuple[int, int]:
    """Save :func:`demo_sessions` into ``store``, one transaction per session; returns the
    number of sessions and reps written."""
    sessions = reps = 0
    for s in demo_sessions(days, seed=seed, end=end):
        store.save_session(s.info, s.reps, started_at=s.started_at, ended_at=s.ended_at)
        sessions += 1
        reps += len(s.reps)
        if sessions % 100 == 0:
            log.info("%d sessions, %d reps written", sessions, reps)
    return sessions, reps
