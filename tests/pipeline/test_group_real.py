"""Group counting with the real models on real footage: the two-person scenes of
``../shared/data/videos/multi``, pairs composed from labelled clips, a crossing and a
leave-and-return made by the test with ffmpeg from real clips.

The full pair sweep is ``make eval-pairs`` (``fitness eval-pairs``); here three pairs stand for it.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fitness.engine.registry import REGISTRY
from fitness.pipeline.evaluation import load_manifest
from fitness.pipeline.group import GroupResult, PersonResult, analyze_group_video, load_people_estimator
from fitness.pipeline.pair_eval import evaluate_pair
from fitness.pipeline.pairs import compose_pair, compose_tool, plan_pairs
from fitness.pose.tracking import PeopleEstimator

pytestmark = pytest.mark.slow

# Indices into plan_pairs(manifest): a front-on curl next to a head-on push-up, a small
# horizontal push-up next to a 4K curl (the hard case for MultiPose: tiny in a wide frame), and a
# three-quarter push-up next to a barbell squat.
SUITE_PAIRS = (0, 3, 5)
CROSS_A = "videos/curl/curl_side_tiktok_bajpai.mp4"  # 4 curls by 12.8 s
CROSS_B = "videos/squat/squat_side_rohan.mp4"  # 2 squats at 9.7-11.2 s and 16.2-18 s, still before
BLANK = (12.0, 15.5)  # rohan is standing between his two squats


@pytest.fixture(scope="module")
def people() -> PeopleEstimator:
    return load_people_estimator(2)


def _ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        pytest.skip("ffmpeg is not installed")
    return found


def _encode(inputs: list[Path], graph: str, seconds: float, out: Path) -> Path:
    cmd = [_ffmpeg(), "-loglevel", "error", "-y"]
    for path in inputs:
        cmd += ["-i", str(path)]
    cmd += ["-filter_complex", graph, "-map", "[v]", "-an", "-t", f"{seconds}"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-crf", "20", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    return out


def _side(result: GroupResult, lo: float, hi: float) -> PersonResult:
    found = [p for p in result.people if lo <= p.x <= hi]
    assert len(found) == 1, [(p.person, p.x) for p in result.people]
    return found[0]


# -- ../shared/data/videos/multi -----------------------------------------------------------------


def _multi_labels(data_dir: Path) -> list[tuple[Path, str, dict[str, tuple[int, int]]]]:
    """(clip, exercise, {left/right: (lo, hi)}); a started or partial extra rep widens the range by one
    (the label says counting it on the way out is defensible)."""
    rows = []
    with (data_dir / "scenes_manifest.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["kind"] != "multi":
                continue
            sides: dict[str, tuple[int, int]] = {}
            for part in row["labels"].split(";"):
                m = re.match(r"p\d\((left|right)[^)]*\)=(\w+):(\d+)(.*)", part.strip())
                if m:
                    n = int(m.group(3))
                    extra = re.search(r"\+\s*\d+(st|nd|rd|th)|\d+(st|nd|rd|th) started", m.group(4))
                    sides[m.group(1)] = (n, n + 1 if extra else n)
            rows.append((data_dir / row["file"], row["exercise"], sides))
    return rows


def test_two_people_doing_jumping_jacks_are_each_counted(data_dir: Path, people: PeopleEstimator) -> None:
    clips = _multi_labels(data_dir)
    assert len(clips) == 3
    assert "jumping_jack" in REGISTRY
    for path, exercise, sides in clips:
        result = analyze_group_video(path, exercise, people=2, estimator=people)
        assert len(result.people) == 2, (path.name, result.notes)
        left, right = result.people
        for side, person in (("left", left), ("right", right)):
            lo, hi = sides[side]
            assert lo <= person.count <= hi, (path.name, side, person.count, (lo, hi))


# -- composed pairs ----------------------------------------------------------------------------


def test_composed_pairs_count_each_side_without_swapping(
    data_dir: Path, artifacts: Path, people: PeopleEstimator
) -> None:
    tool = compose_tool(data_dir.parent)
    plan = plan_pairs(load_manifest(data_dir / "manifest.csv"))
    assert len(plan) == 10
    for index in SUITE_PAIRS:
        pair = plan[index]
        row = evaluate_pair(pair, compose_pair(pair, artifacts / "pairs", tool), people)
        assert not row.swapped, pair.name
        for side in row.rows:
            assert side.exact, (pair.name, side.clip.name, side.predicted, (side.clip.lo, side.clip.hi))


# -- crossing and leaving -------------------------------------------------------------------------


def test_a_person_crossing_behind_another_keeps_id_and_count(
    data_dir: Path, tmp_path: Path, people: PeopleEstimator
) -> None:
    """B (2 squats) walks from the left behind A (4 curls, in the middle) to the right between 4 and
    6 s, ~1 body height a second; A's clip is drawn over B's, so B is hidden while they overlap.
    B does both squats after the crossing: one id and both squats, A keeps their 4 curls."""
    graph = (
        "color=black:s=1280x480:r=30:d=20.4[bg];"
        "[0:v]fps=30,scale=-2:480,setsar=1,tpad=stop_mode=clone:stop_duration=10[a];"
        "[1:v]fps=30,scale=-2:480,setsar=1[b];"
        "[bg][b]overlay=x='if(lt(t,4),80,if(lt(t,6),80+(t-4)*425,930))':y=0:eof_action=repeat[bb];"
        "[bb][a]overlay=x=505:y=0[v]"
    )
    video = _encode([data_dir / CROSS_A, data_dir / CROSS_B], graph, 20.4, tmp_path / "crossing.mp4")
    result = analyze_group_video(video, people=2, estimator=people, also_count=("curl", "squat"))
    assert len(result.people) == 2, result.notes
    a = _side(result, 0.35, 0.65)
    b = next(p for p in result.people if p is not a)
    assert a.x_range[0] > 0.35 and a.x_range[1] < 0.65, a.x_range  # A's id never went to B
    assert b.x_range[0] < 0.3 and b.x_range[1] > 0.7, b.x_range  # one id for B on both sides
    assert a.counts["curl"] == 4
    assert b.counts["squat"] == 2


@pytest.fixture(scope="module")
def leave_video(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A curler (left) and Rohan (right), Rohan blacked out for 3.5 s between his two squats."""
    start, end = BLANK
    graph = (
        "[0:v]fps=30,scale=-2:480,setsar=1,tpad=stop_mode=clone:stop_duration=10[a];"
        f"[1:v]fps=30,scale=-2:480,setsar=1,drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:"
        f"enable='between(t,{start},{end})'[b];"
        "[a][b]hstack=inputs=2:shortest=0[v]"
    )
    out = tmp_path_factory.mktemp("leave") / "leave.mp4"
    return _encode([data_dir / CROSS_A, data_dir / CROSS_B], graph, 20.4, out)


def test_a_person_who_leaves_for_seconds_keeps_id_and_count(leave_video: Path, people: PeopleEstimator) -> None:
    """Rohan (right) is blacked out for 3.5 s between his two squats: same id, both squats."""
    start, end = BLANK
    result = analyze_group_video(leave_video, people=2, estimator=people, also_count=("curl", "squat"))
    assert len(result.people) == 2, result.notes
    left, right = result.people
    assert right.first_ms < start * 1000 and right.last_ms > end * 1000
    assert right.counts["squat"] == 2
    assert left.counts["curl"] == 4


def test_multipose_looks_for_people_until_everyone_asked_for_is_followed(leave_video: Path) -> None:
    """At 15 processed frames a second MultiPose looks for people 5 times a second until both are
    followed, then once a second (only counting who is in view); while Rohan is gone (his crop
    lost) 5 times a second again, until he is followed again."""
    from fitness.bench.pipeline import TimedBackend
    from fitness.pipeline.group import DETECT_HZ, RECOUNT_HZ, rated_options
    from fitness.pipeline.video_io import open_video

    est = load_people_estimator(2)
    calls = TimedBackend(est.multipose.backend)
    est.multipose.backend = calls
    est.configure(rated_options(est.options, 15.0, 2))
    runs: list[tuple[float, int]] = []  # (t_ms, people followed after the frame) where MultiPose ran
    with open_video(leave_video) as video:
        for n, frame in enumerate(video):
            if n % 2:
                continue
            before = calls.calls
            seen = est.estimate(frame.rgb, frame.t_ms)
            if calls.calls > before:
                runs.append((frame.t_ms, len(seen)))
    start, end = BLANK

    def rate(lo_s: float, hi_s: float) -> float:
        return sum(lo_s * 1000 <= t < hi_s * 1000 for t, _ in runs) / (hi_s - lo_s)

    assert rate(1.0, 11.0) == pytest.approx(RECOUNT_HZ, abs=0.2)  # both followed
    assert rate(start + 1.0, end) == pytest.approx(DETECT_HZ, abs=0.5)  # Rohan gone: looking for him
    assert rate(end + 2.0, 20.0) == pytest.approx(RECOUNT_HZ, abs=0.3)  # found again


# -- the live path ------------------------------------------------------------------------------


def test_group_coach_counts_frame_by_frame_and_reports_each_rep(
    data_dir: Path, artifacts: Path, people: PeopleEstimator
) -> None:
    """The webcam path (every frame, no stride) on the first composed pair: each rep reported
    with its person, the status beside the video, and each person's set at the end."""
    from fitness.pipeline.group import GroupCoach
    from fitness.pipeline.video_io import open_video

    pair = plan_pairs(load_manifest(data_dir / "manifest.csv"))[0]
    video = compose_pair(pair, artifacts / "pairs", compose_tool(data_dir.parent))
    reps: list[tuple[int, int]] = []
    coach = GroupCoach(estimator=people, people=2, on_rep=lambda person, rep: reps.append((person, rep.index)))
    with open_video(video) as frames:
        for frame in frames:
            annotated, _results = coach.process(frame.rgb, frame.t_ms)
            assert annotated.shape == frame.rgb.shape
    status = coach.status()
    assert [s.exercise for s in status] == [pair.left.exercise, pair.right.exercise]
    assert [s.reps for s in status] == [pair.left.reps, pair.right.reps]
    by_person = {s.person: s.reps for s in status}
    assert sorted(reps) == sorted((p, i) for p, n in by_person.items() for i in range(1, n + 1))
    result = coach.result()
    assert [p.count for p in result.people] == [pair.left.reps, pair.right.reps]
