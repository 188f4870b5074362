"""Where the CPU time of ``fitness analyze`` goes, stage by stage, on one clip.

    .venv/bin/python scripts/analyze_breakdown.py [CLIP] [--frames N] [--repeat 3]

Each stage runs on its own, single-threaded, over the same real frames, ``--repeat`` times;
the least CPU time is kept (time.process_time / thread_time): on a machine shared with other
jobs the least is the one least disturbed by them, and CPU time, unlike wall time, does not
count the waits for a core. Stages: interpreter start-up and imports, model load, demux +
decode, YUV->RGB conversion, crop + resize to the model input, inference (1 and 2 threads),
the estimator's post-processing (crop mapping, smoothing, next crop), counting (``auto`` and
the labelled exercise) and drawing + H.264 writing (only with ``-o``).
"""

from __future__ import annotations

import argparse
import logging
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fitness.engine.registry import REGISTRY  # noqa: E402
from fitness.pipeline.stream import AUTO, StreamAnalyzer  # noqa: E402
from fitness.pipeline.video_analysis import annotate  # noqa: E402
from fitness.pipeline.video_io import open_video, open_writer  # noqa: E402
from fitness.pose.estimator import PoseEstimator, crop_and_resize, load_estimator  # noqa: E402
from fitness.pose.types import Pose  # noqa: E402

log = logging.getLogger("breakdown")
CLIP = REPO.parent / "shared" / "data" / "videos" / "pushup" / "pushup_side_tutorial_tayyab.mp4"


def least(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.process_time) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = clock()
        fn()
        best = min(best, clock() - started)
    return best


def child_cpu(argv: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, check=True, cwd=REPO, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best = min(best, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return best


class _Replay:
    """The model's recorded answers, in order: the estimator's own work without inference."""

    name = "replay"
    multipose = False

    def __init__(self, outputs: list[np.ndarray], input_size: int) -> None:
        self.outputs, self.input_size, self.i = outputs, input_size, 0

    def infer(self, image: np.ndarray) -> np.ndarray:
        out = self.outputs[self.i]
        self.i += 1
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clip", type=Path, nargs="?", default=CLIP)
    parser.add_argument("--frames", type=int, default=300, help="frames timed per stage (default 300)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exercise", default="pushup")
    parser.add_argument("-o", "--output", action="store_true", help="also time drawing and writing")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ms: dict[str, float] = {}
    py = [sys.executable]

    with open_video(args.clip) as video:
        duration_s = video.frame_count / video.fps
        total = video.frame_count
    n = min(args.frames, total)

    def decode(convert: bool) -> None:
        import av

        with av.open(str(args.clip)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            stream.codec_context.thread_count = 1  # as the reader does up to 1080p
            for i, frame in enumerate(container.decode(stream)):
                if convert:
                    frame.to_ndarray(format="rgb24")
                if i + 1 >= n:
                    break

    def read(sample_fps: float | None = None) -> None:
        with open_video(args.clip, sample_fps=sample_fps) as video:
            for frame in video:
                if frame.index + 1 >= n:
                    break

    ms["decode"] = least(lambda: decode(False), args.repeat) / n * 1000
    ms["YUV->RGB"] = max(0.0, least(lambda: decode(True), args.repeat) / n * 1000 - ms["decode"])
    reader = least(read, args.repeat) / n * 1000
    ms["reader thread, queue"] = max(0.0, reader - ms["decode"] - ms["YUV->RGB"])
    thinned = least(lambda: read(15.0), args.repeat) / n * 1000
    with open_video(args.clip, prefetch=1) as video:
        frames = [(f.t_ms, f.rgb) for f, _ in zip(video, range(n), strict=False)]

    est = load_estimator("lightning", threads=1)
    assert isinstance(est, PoseEstimator)
    size = est.input_size
    crops = []
    outputs: list[np.ndarray] = []
    poses: list[Pose | None] = []
    for t_ms, rgb in frames:
        poses.append(est.estimate(rgb, t_ms))
        assert est.last_crop is not None
        crops.append(est.last_crop)
    est.reset()

    def crop_all() -> None:
        for (_, rgb), c in zip(frames, crops, strict=True):
            crop_and_resize(rgb, c, size)

    ms["crop+resize"] = least(crop_all, args.repeat, time.thread_time) / n * 1000
    inputs = [crop_and_resize(rgb, c, size)[None].astype(np.int32) for (_, rgb), c in zip(frames, crops, strict=True)]
    for threads in (1, 2):
        backend = load_estimator("lightning", threads=threads).backend

        def infer_all(backend: Any = backend) -> None:
            outputs.clear()
            outputs.extend(backend.infer(x) for x in inputs)

        ms[f"inference ({threads} thread{'s' if threads > 1 else ''}, CPU)"] = least(infer_all, args.repeat) / n * 1000
        wall = least(infer_all, args.repeat, time.perf_counter) / n * 1000
        ms[f"inference ({threads} thread{'s' if threads > 1 else ''}, wall)"] = wall

    def post_all() -> None:
        replay = PoseEstimator(_Replay(outputs, size))
        for t_ms, rgb in frames:
            replay.estimate(rgb, t_ms)

    # The replay crops and resizes too: take that out to leave the post-processing.
    ms["estimator post-processing"] = max(0.0, least(post_all, args.repeat, time.thread_time) / n * 1000
                                          - ms["crop+resize"])  # fmt: skip
    times = [t for t, _ in frames]
    for exercise in (AUTO, args.exercise):

        def count(exercise: str = exercise) -> None:
            analyzer = StreamAnalyzer(exercise)
            for t_ms, pose in zip(times, poses, strict=True):
                analyzer.update(pose, t_ms)

        name = f"counting ({exercise}, {len(REGISTRY)} exercises known)"
        ms[name] = least(count, args.repeat, time.thread_time) / n * 1000
    if args.output:
        analyzer = StreamAnalyzer(args.exercise)
        results = [analyzer.update(p, t) for t, p in zip(times, poses, strict=True)]
        spec = REGISTRY[args.exercise]

        def draw() -> None:
            for (_, rgb), p, r in zip(frames, poses, results, strict=True):
                annotate(rgb, p, r, spec)

        ms["annotate (draw)"] = least(draw, args.repeat, time.thread_time) / n * 1000
        with tempfile.TemporaryDirectory() as tmp:
            h, w = frames[0][1].shape[:2]

            def write() -> None:
                writer = open_writer(Path(tmp) / "out.mp4", 30.0, (w, h))
                for t_ms, rgb in frames:
                    writer.write(rgb, t_ms)
                writer.close()

            ms["H.264 write"] = least(write, 1) / n * 1000
    startup = child_cpu([*py, "-c", "from fitness.cli import build_parser; build_parser(['analyze'])"], args.repeat)
    load = least(lambda: load_estimator("lightning", threads=1), args.repeat)

    sys.stdout.write(f"{args.clip.name}: {total} frames, {duration_s:.1f} s; stages timed on {n} frames, "
                     f"least of {args.repeat}\n")  # fmt: skip
    sys.stdout.write(f"  {'start-up (interpreter + imports)':<46} {startup:7.2f} s\n")
    sys.stdout.write(f"  {'(reader thinned to 15 frames/s: all of it)':<46} {thinned:7.2f} ms/frame\n")
    sys.stdout.write(f"  {'model load':<46} {load:7.2f} s\n")
    for name, value in ms.items():
        sys.stdout.write(f"  {name:<46} {value:7.2f} ms/frame = {value * total / 1000:5.2f} s for the clip\n")
    per_frame = sum(v for k, v in ms.items() if "wall" not in k and "2 threads" not in k and "auto" not in k)
    cpu = startup + load + per_frame * total / 1000
    sys.stdout.write(
        f"  one core, labelled exercise, 1 inference thread: {cpu:.1f} s CPU = {duration_s / cpu:.2f}x real time\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
