"""Whole workouts made from labelled clips, to measure set finding on footage nobody staged.

A workout is 3-6 labelled clips of different exercises (``manifest.csv`` and
``catalogue_manifest.csv``) with a pause between each two: a still frame (the last frame of the
clip before, held), a few seconds of someone standing up and walking (cut from the labelled
workout clip where its label says so) or a title card naming the next exercise. Each piece is
re-encoded to one size and time base (ffmpeg: square pixels first, then fitted into 640x360
with bars, H.264, a 90 kHz time base) and the pieces joined; the label of each set is its
clip's label over its clip's span of the joined video.

Each clip keeps its own frame rate (the joined file has a variable frame rate, read by its
timestamps as every video is here). Converting to one rate duplicates frames, and that alone
changes what the pose model sees: the glute-bridge clip at 25 fps re-encoded counts 7 reps (as
the original), converted to 30 fps it counts 5, the tops of its bridges reading 10-15 degrees
lower. No camera duplicates frames, so the joined workouts do not either.

Which clips: one person's one continuous set, as a set is. Left out (said in their notes, not
found by counting): clips of a single rep (a set has two at least: the segmenter's
``min_reps``), holds shorter than its ``min_hold_s``, and clips with a talking head between
the reps (a rest inside one label). A
still frame never follows a hold: a frozen picture of a plank is a plank held, so the label
would be wrong, not the count.
"""

from __future__ import annotations

import itertools
import logging
import random
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from fitness.engine.registry import REGISTRY
from fitness.engine.segmentation import SegmentConfig
from fitness.errors import FitnessError
from fitness.pipeline.evaluation import LabelledClip
from fitness.pipeline.workout_eval import LabelledSet, LabelledWorkout

log = logging.getLogger(__name__)

WIDTH, HEIGHT, FPS = 640, 360, 30  # FPS: of the title cards only
TIMESCALE: Final = 90_000  # one time base for every piece, so they join without re-timing
# Someone standing up from push-ups and walking to the camera: the labelled workout clip's
# "23.0-26.9s stands up and walks to camera (no exercise)".
WALK_CLIP: Final = "videos/workout/pushup_two_sets_with_rest_webcam_calimiro_test1.mp4"
WALK_SPAN_S: Final = (23.0, 26.9)
STILL_S: Final = (3.0, 6.0)
TITLE_S: Final = (2.0, 4.0)
# Notes that say a clip is not one person's one continuous set.
NOT_ONE_SET: Final = ("talking-head", "talking head")
FONT: Final = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

PauseKind = Literal["still", "walk", "title"]


class ComposeError(FitnessError):
    """A workout could not be made (no ffmpeg, a clip that cannot be read)."""


@dataclass(frozen=True, slots=True)
class Pause:
    kind: PauseKind
    seconds: float
    text: str = ""


@dataclass(frozen=True, slots=True)
class WorkoutPlan:
    name: str
    clips: tuple[LabelledClip, ...]
    pauses: tuple[Pause, ...]  # one after each clip but the last


def eligible(clips: Sequence[LabelledClip], config: SegmentConfig | None = None) -> list[LabelledClip]:
    """The clips a workout may be made of (see the module docstring)."""
    cfg = config or SegmentConfig()
    out = []
    for clip in clips:
        if clip.kind == "hold_s" and clip.lo < cfg.min_hold_s:
            continue
        if clip.kind == "reps" and clip.lo < cfg.min_reps:
            continue
        if any(k in clip.notes for k in NOT_ONE_SET):
            continue
        out.append(clip)
    return out


def _pause(rng: random.Random, after: LabelledClip, following: LabelledClip) -> Pause:
    kinds: list[PauseKind] = ["walk", "title"] if after.kind == "hold_s" else ["still", "walk", "title"]
    kind = rng.choice(kinds)
    if kind == "still":
        return Pause(kind, round(rng.uniform(*STILL_S), 1))
    if kind == "title":
        return Pause(kind, round(rng.uniform(*TITLE_S), 1), f"Next: {REGISTRY[following.exercise].name}")
    return Pause(kind, WALK_SPAN_S[1] - WALK_SPAN_S[0])


def plan_workouts(
    clips: Sequence[LabelledClip], count: int, *, seed: int = 13, sizes: tuple[int, int] = (3, 6)
) -> list[WorkoutPlan]:
    """``count`` workouts of ``sizes`` clips each, every clip of a workout a different exercise,
    the clips dealt out in turn so each is used about as often (a fixed seed: the same workouts
    every time)."""
    rng = random.Random(seed)
    pool: list[LabelledClip] = []
    plans = []
    for n in range(count):
        size = rng.randint(*sizes)
        chosen: list[LabelledClip] = []
        tries = 0
        while len(chosen) < size and tries < 10 * len(clips):
            tries += 1
            if not pool:
                pool = list(clips)
                rng.shuffle(pool)
            clip = pool.pop()
            if clip.exercise in {c.exercise for c in chosen}:
                pool.insert(0, clip)
                continue
            chosen.append(clip)
        pauses = tuple(_pause(rng, a, b) for a, b in itertools.pairwise(chosen))
        plans.append(WorkoutPlan(f"workout_{n + 1:02d}", tuple(chosen), pauses))
    return plans


# -- ffmpeg -------------------------------------------------------------------------------------

_FIT = (
    f"scale=trunc(iw*sar/2)*2:ih,setsar=1,scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=decrease,"
    f"pad={WIDTH}:{HEIGHT}:(ow-iw)/2:(oh-ih)/2,setsar=1"
)
_ENCODE = (
    "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
    "-video_track_timescale", str(TIMESCALE),
)  # fmt: skip


def _ffmpeg(*args: str) -> None:
    exe = shutil.which("ffmpeg")
    if exe is None:
        raise ComposeError("ffmpeg is not installed (scripts/setup.sh installs it)")
    done = subprocess.run(
        [exe, "-hide_banner", "-loglevel", "error", "-y", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ComposeError(f"ffmpeg failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")


def _seconds(path: Path) -> float:
    """How long a piece lasts in the joined file (the concat demuxer lines pieces up by it)."""
    exe = shutil.which("ffprobe")
    if exe is None:
        raise ComposeError("ffprobe is not installed (it comes with ffmpeg)")
    out = subprocess.run(
        [exe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        return float(out.stdout.strip())
    except ValueError:
        raise ComposeError(f"cannot read how long {path} lasts") from None


def _clip_piece(clip: LabelledClip, out: Path, still_s: float = 0.0) -> None:
    hold = f",tpad=stop_mode=clone:stop_duration={still_s}" if still_s > 0 else ""
    _ffmpeg("-i", str(clip.path), "-vf", _FIT + hold, *_ENCODE, str(out))


def _walk_piece(data: Path, out: Path) -> None:
    start, end = WALK_SPAN_S
    _ffmpeg("-ss", str(start), "-to", str(end), "-i", str(data / WALK_CLIP), "-vf", _FIT, *_ENCODE, str(out))


def _title_piece(pause: Pause, out: Path) -> None:
    text = pause.text.replace(":", r"\:").replace("'", "")
    font = f"fontfile={FONT}:" if FONT.is_file() else ""
    draw = f"drawtext={font}text='{text}':fontcolor=white:fontsize=40:x=(w-text_w)/2:y=(h-text_h)/2"
    _ffmpeg(
        "-f", "lavfi", "-i", f"color=c=0x1f2a44:s={WIDTH}x{HEIGHT}:r={FPS}:d={pause.seconds}",
        "-vf", draw, *_ENCODE, str(out),
    )  # fmt: skip


def compose(plan: WorkoutPlan, data: Path, out_dir: Path) -> LabelledWorkout:
    """Make ``plan``'s video in ``out_dir`` (``<name>.mp4``); returns its labels."""
    work = out_dir / f".{plan.name}"
    work.mkdir(parents=True, exist_ok=True)
    pieces: list[Path] = []
    sets: list[LabelledSet] = []
    t = 0.0
    for i, clip in enumerate(plan.clips):
        pause = plan.pauses[i] if i < len(plan.pauses) else None
        piece = work / f"{i:02d}_clip.mp4"
        still = pause.seconds if pause is not None and pause.kind == "still" else 0.0
        _clip_piece(clip, piece, still)
        length = _seconds(piece)
        clip_s = length - still
        sets.append(LabelledSet(clip.exercise, clip.reps, clip.lo, clip.hi, t, t + clip_s, clip.kind, clip.name))
        pieces.append(piece)
        t += length
        if pause is not None and pause.kind != "still":
            gap = work / f"{i:02d}_{pause.kind}.mp4"
            if pause.kind == "walk":
                _walk_piece(data, gap)
            else:
                _title_piece(pause, gap)
            pieces.append(gap)
            t += _seconds(gap)
    listing = work / "pieces.txt"
    listing.write_text("".join(f"file '{p.resolve()}'\n" for p in pieces))
    target = out_dir / f"{plan.name}.mp4"
    _ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(target))
    shutil.rmtree(work, ignore_errors=True)
    log.info("%s: %d sets, %.1f s", target.name, len(sets), t)
    return LabelledWorkout(target, tuple(sets), composed=True)
