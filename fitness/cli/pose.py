"""``fitness pose``: keypoints and a drawn skeleton for a photo or a video."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from tqdm import tqdm

from fitness.cli.common import add_model_args, check_outputs, estimator_from_args, write_json
from fitness.errors import OutputPathError
from fitness.files import write_bytes_atomically
from fitness.pipeline.video_io import IMAGE_SUFFIXES, WriterContext, is_image_path, load_image, open_video, open_writer
from fitness.pose.drawing import draw_box, draw_pose
from fitness.pose.estimator import EstimatorOptions, MultiPoseEstimator
from fitness.pose.types import Box, Pose

log = logging.getLogger(__name__)

PROGRESS_AFTER_S = 3.0


def register(sub: Any) -> None:
    p = sub.add_parser(
        "pose",
        help="estimate poses on a photo or video",
        description="Run MoveNet on a photo or a video; draw the skeleton and/or write keypoints as JSON.",
    )
    p.add_argument("input", type=Path, help="photo (.jpg, .png, ...) or video (.mp4, .mov, ...)")
    p.add_argument("-o", "--output", type=Path, help="overlay: .png/.jpg for a photo, .gif/.mp4 for a video")
    p.add_argument("--json", type=Path, help="write keypoints as JSON ('-' for stdout)")
    p.add_argument("--threshold", type=float, default=0.3, help="draw keypoints scoring above this (default 0.3)")
    p.add_argument("--crop", action="store_true", help="draw the region the model looked at")
    add_model_args(p)
    p.set_defaults(func=run)


def _poses(est: Any, rgb: Any, t_ms: float | None) -> list[Any]:
    if isinstance(est, MultiPoseEstimator):
        return est.estimate_all(rgb)
    pose = est.estimate_image(rgb) if t_ms is None else est.estimate(rgb, t_ms)
    return [] if pose is None else [pose]


def scaled(pose: Pose, sx: float, sy: float) -> Pose:
    """``pose`` with its pixel coordinates multiplied by (sx, sy)."""
    if sx == 1.0 and sy == 1.0:
        return pose
    box = pose.box
    if box is not None:
        box = Box(box.x0 * sx, box.y0 * sy, box.x1 * sx, box.y1 * sy)
    return Pose(pose.keypoints * np.array([sx, sy, 1.0]), pose.score, box)


def _draw(rgb: Any, poses: list[Any], est: Any, args: argparse.Namespace) -> Any:
    out = rgb.copy()
    for pose in poses:
        draw_pose(out, pose, args.threshold, copy=False)
    if args.crop and est.last_crop is not None:
        draw_box(out, est.last_crop.to_box(*rgb.shape[:2]), copy=False)
    return out


def run(args: argparse.Namespace) -> int:
    from fitness.errors import FitnessError

    if not 0.0 <= args.threshold <= 1.0:
        raise FitnessError(f"--threshold must be between 0 and 1, got {args.threshold}")
    photo = is_image_path(args.input)
    check_outputs(args.output, args.json, inputs=[(f"the input {'photo' if photo else 'video'}", args.input)])
    if args.output is not None:
        want = IMAGE_SUFFIXES if photo else {".gif", ".mp4"}
        if args.output.suffix.lower() not in want:
            kind = "photo" if photo else "video"
            raise OutputPathError(f"output for a {kind} must end in one of: {', '.join(sorted(want))}")
    options = EstimatorOptions(keypoint_threshold=args.threshold)
    if photo:
        rgb = load_image(args.input)  # fail on a bad file before loading the model
        est = estimator_from_args(args, options)
        poses = _poses(est, rgb, None)
        if not poses:
            sys.stderr.write(f"note: no person found in {args.input}\n")
        if args.output is not None:
            ok, encoded = cv2.imencode(args.output.suffix.lower(), _draw(rgb, poses, est, args)[:, :, ::-1])
            if not ok:
                raise OutputPathError(f"cannot write {args.output}: the image could not be encoded")
            write_bytes_atomically(args.output, encoded.tobytes())
        doc = {
            "model": est.backend.name,
            "width": rgb.shape[1],
            "height": rgb.shape[0],
            "fps": None,
            "frames": [{"index": 0, "t_ms": 0, "poses": [p.to_dict() for p in poses]}],
        }
    else:
        with open_video(args.input) as video:
            est = estimator_from_args(args, options)
            frames = []
            writer = open_writer(args.output, video.fps, (video.width, video.height)) if args.output else None
            show = video.duration_ms / 1000.0 > PROGRESS_AFTER_S and sys.stderr.isatty()
            with WriterContext(writer), tqdm(total=video.frame_count or None, disable=not show, unit="frame") as bar:
                # Frames may come shrunk (video_io.DEFAULT_MAX_SIDE); the JSON is in the video's pixels.
                scale = (video.display_width / video.width, video.display_height / video.height)
                for frame in video:
                    poses = _poses(est, frame.rgb, frame.t_ms)
                    frames.append(
                        {
                            "index": frame.index,
                            "t_ms": round(frame.t_ms, 1),
                            "poses": [scaled(p, *scale).to_dict() for p in poses],
                        }
                    )
                    if writer is not None:
                        writer.write(_draw(frame.rgb, poses, est, args), frame.t_ms)
                    bar.update(1)
            found = sum(1 for f in frames if f["poses"])
            if found == 0:
                sys.stderr.write(f"note: no person found in any of the {len(frames)} frames of {args.input}\n")
            doc = {
                "model": est.backend.name,
                "width": video.display_width,
                "height": video.display_height,
                "fps": round(video.fps, 3),
                "frames": frames,
            }
        log.info("%d frames, a person in %d", len(frames), found)
    if args.json is not None:
        write_json(args.json, doc)
    if args.output is not None:
        sys.stderr.write(f"wrote {args.output}\n")
    return 0
