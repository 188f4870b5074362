"""The coaching HUD drawn over a frame with OpenCV: rep count, phase, angle, cue. No logic.

Frames are RGB. Sizes scale with the frame so a 202x360 phone clip and a 4K frame read alike.
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np

from fitness.engine.counter import FrameResult
from fitness.engine.spec import ExerciseSpec
from fitness.pose.types import Pose

WHITE: Final = (255, 255, 255)
CUE: Final = (255, 210, 0)  # amber: something to fix
NOTE: Final = (170, 220, 255)  # pale blue: about the camera, not the person
GOOD: Final = (120, 230, 120)
FONT: Final = cv2.FONT_HERSHEY_SIMPLEX


def _scale(frame: np.ndarray) -> float:
    return max(0.5, float(min(frame.shape[:2])) / 600.0)


def _shade(frame: np.ndarray, box: tuple[int, int, int, int], alpha: float = 0.55) -> None:
    """Darken ``box`` (x0, y0, x1, y1) in place so text stays readable over any background."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 > x0 and y1 > y0:
        region = frame[y0:y1, x0:x1]
        region[:] = (region * (1.0 - alpha)).astype(frame.dtype)


def _text(frame: np.ndarray, text: str, org: tuple[int, int], size: float, colour: tuple[int, int, int]) -> None:
    thick = max(1, round(size * 2))
    cv2.putText(frame, text, org, FONT, size, colour, thick, cv2.LINE_AA)


def _fit(text: str, size: float, width: int) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` pixels."""
    thick = max(1, round(size * 2))
    while len(text) > 4 and cv2.getTextSize(text, FONT, size, thick)[0][0] > width:
        text = text[: -4 if text.endswith("...") else -1].rstrip() + "..."
    return text


def draw_hud(frame: np.ndarray, result: FrameResult, spec: ExerciseSpec, copy: bool = True) -> np.ndarray:
    """Rep count, phase and angle top-left; the current cue (or note) along the bottom."""
    out = frame.copy() if copy else frame
    h, w = out.shape[:2]
    s = _scale(out)
    pad = round(10 * s)
    line = round(34 * s)
    panel_w = min(w, round(300 * s))
    _shade(out, (0, 0, panel_w, pad + line * 4))
    _text(out, _fit(spec.name, 0.7 * s, panel_w - 2 * pad), (pad, pad + round(24 * s)), 0.7 * s, WHITE)
    _text(out, str(result.reps), (pad, pad + round(24 * s) + round(58 * s)), 2.0 * s, GOOD)
    sides = " ".join(f"{k[0].upper()}{v}" for k, v in sorted(result.per_side.items())) if spec.sides == "both" else ""
    if sides:
        _text(out, sides, (pad + round(90 * s), pad + round(24 * s) + round(50 * s)), 0.6 * s, WHITE)
    phase = spec.phase_labels[result.phase]
    angle = f"{result.angle:.0f} deg" if result.angle is not None else "-"
    status = _fit(f"{phase} | {angle}", 0.6 * s, panel_w - 2 * pad)
    _text(out, status, (pad, pad + line * 4 - round(12 * s)), 0.6 * s, WHITE)
    message, colour = (result.cues[0], CUE) if result.cues else (result.note, NOTE) if result.note else (None, WHITE)
    if message:
        size = 0.75 * s
        text = _fit(message, size, w - 2 * pad)
        _shade(out, (0, h - line - pad, w, h))
        _text(out, text, (pad, h - pad - round(8 * s)), size, colour)
    return out


def draw_person_label(
    frame: np.ndarray, pose: Pose, lines: tuple[str, ...], colour: tuple[int, int, int], copy: bool = True
) -> np.ndarray:
    """A person's label above their head in their own colour: their count big, then a short line.

    Placed over the highest confident keypoint (the box top when MultiPose gave a box), kept
    inside the frame so a person at the top edge still shows their count.
    """
    out = frame.copy() if copy else frame
    if not lines:
        return out
    h, w = out.shape[:2]
    s = _scale(out)
    kps = pose.keypoints
    seen = kps[kps[:, 2] >= 0.3]
    if len(seen) == 0:
        return out
    top = float(pose.box.y0) if pose.box is not None else float(seen[:, 1].min())
    cx = float(seen[:, 0].mean())
    sizes = [1.2 * s] + [0.55 * s] * (len(lines) - 1)
    extents = [cv2.getTextSize(t, FONT, z, max(1, round(z * 2)))[0] for t, z in zip(lines, sizes, strict=True)]
    pad = round(6 * s)
    box_w = max(e[0] for e in extents) + 2 * pad
    box_h = sum(e[1] + pad for e in extents) + pad
    x0 = int(min(max(0, cx - box_w / 2), max(0, w - box_w)))
    y0 = int(min(max(0, top - box_h - pad), max(0, h - box_h)))
    _shade(out, (x0, y0, x0 + box_w, y0 + box_h), alpha=0.6)
    y = y0
    for text, size, (tw, th) in zip(lines, sizes, extents, strict=True):
        y += th + pad
        _text(out, text, (x0 + (box_w - tw) // 2, y), size, colour)
    return out
