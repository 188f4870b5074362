"""The coaching HUD drawn over a frame with OpenCV: rep count or hold time, phase, measure, cue.

Frames are RGB. Every size is a share of the frame's shorter side, so a 202x360 phone clip, a
640x360 webcam and a 4K frame read alike, and the picture can be shown at any size.

Sizes are chosen for reading from across the room. At 3 m, 20/20 vision just resolves letters
4.4 mm tall (5 minutes of arc); reading a short line at a glance takes about three times that,
~1.3 cm. A webcam view on a laptop is ~18 cm tall in the page and ~20 cm full screen, so the cue
(6.5% of the shorter side) is ~1.2-1.3 cm there and the rep count (24%) ~4.5 cm: the count
reads from well beyond 3 m, the cue from about 3 m.
"""

from __future__ import annotations

import functools
from typing import Final

import cv2
import numpy as np

from fitness.engine.counter import FrameResult
from fitness.engine.spec import ExerciseSpec
from fitness.pose.types import Box, Pose

WHITE: Final = (255, 255, 255)
CUE: Final = (255, 210, 0)  # amber: something to fix
NOTE: Final = (170, 220, 255)  # pale blue: about the camera, not the person
GOOD: Final = (120, 230, 120)
FONT: Final = cv2.FONT_HERSHEY_SIMPLEX

# Letter heights as shares of the frame's shorter side (see the module docstring).
COUNT_SHARE: Final = 0.24
CUE_SHARE: Final = 0.065
STATUS_SHARE: Final = 0.05
NAME_SHARE: Final = 0.042
PAD_SHARE: Final = 0.025
CUE_LINES: Final = 2  # a long cue wraps onto a second line before it is shortened


@functools.cache
def _unit_height() -> float:
    """Inked height in pixels of a digit at font scale 1 (``getTextSize`` pads it by a third)."""
    canvas = np.zeros((300, 300), np.uint8)
    cv2.putText(canvas, "0", (10, 280), FONT, 10.0, 255, 1, cv2.LINE_AA)
    rows = np.flatnonzero(canvas.any(axis=1))
    return float(rows[-1] - rows[0] + 1) / 10.0


def _size_for(height_px: float) -> float:
    """The font scale whose capital letters are ``height_px`` tall."""
    return max(0.3, height_px / _unit_height())


def _thickness(size: float) -> int:
    return max(1, round(size * 2))


def _width(text: str, size: float) -> int:
    return int(cv2.getTextSize(text, FONT, size, _thickness(size))[0][0])


def _shade(frame: np.ndarray, box: tuple[int, int, int, int], alpha: float = 0.55) -> None:
    """Darken ``box`` (x0, y0, x1, y1) in place so text stays readable over any background."""
    h, w = frame.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 > x0 and y1 > y0:
        region = frame[y0:y1, x0:x1]
        region[:] = (region * (1.0 - alpha)).astype(frame.dtype)


def _text(frame: np.ndarray, text: str, org: tuple[int, int], size: float, colour: tuple[int, int, int]) -> None:
    cv2.putText(frame, text, org, FONT, size, colour, _thickness(size), cv2.LINE_AA)


def _fit(text: str, size: float, width: int) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` pixels."""
    while len(text) > 4 and _width(text, size) > width:
        text = text[: -4 if text.endswith("...") else -1].rstrip() + "..."
    return text


def _big_number(result: FrameResult) -> str:
    """The count, or for a hold the time held (m:ss past a minute)."""
    if result.hold_ms is None:
        return str(result.reps)
    seconds = result.hold_ms / 1000.0
    return f"{seconds:.1f}s" if seconds < 60 else f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _value(result: FrameResult, spec: ExerciseSpec) -> str:
    if result.angle is None:
        return "-"
    return f"{result.angle:.0f} deg" if spec.primary.unit == "deg" else f"{result.angle:.2f}"


def wrap(text: str, size: float, width: int, max_lines: int = CUE_LINES) -> list[str]:
    """``text`` in at most ``max_lines`` lines of at most ``width`` pixels, broken between words;
    what still does not fit ends in an ellipsis."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and _width(f"{line} {words[0]}", size) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return [_fit(line, size, width) for line in lines]


def _panel(out: np.ndarray, result: FrameResult, spec: ExerciseSpec, unit: float, pad: int) -> None:
    """The count (or hold time), big, top-left; the exercise above it, phase and measure below."""
    w = out.shape[1]
    name_size, count_size, status_size = (_size_for(s * unit) for s in (NAME_SHARE, COUNT_SHARE, STATUS_SHARE))
    name_h, count_h, status_h = (round(s * unit) for s in (NAME_SHARE, COUNT_SHARE, STATUS_SHARE))
    count = _big_number(result)
    # Per-side counts are the person's own left and right (from the true frame): in a mirrored
    # view their left is on the left of the screen, so "L" needs no un-mirroring.
    per_side = spec.sides in ("both", "alternating")
    sides = " ".join(f"{k[0].upper()}{v}" for k, v in sorted(result.per_side.items())) if per_side else ""
    status = f"{spec.phase_labels[result.phase]} | {_value(result, spec)}"
    count_w = _width(count, count_size)
    panel_w = min(
        w,
        2 * pad + max(
            _width(spec.name, name_size),
            count_w + (pad + _width(sides, status_size) if sides else 0),
            _width(status, status_size),
        ),
    )  # fmt: skip
    # Baselines; a line's descenders ("q", "g": about a third of its letter height) get room.
    name_y = pad + name_h
    count_y = name_y + pad + round(name_h / 3) + count_h
    status_y = count_y + pad + status_h
    _shade(out, (0, 0, panel_w, status_y + pad))
    inner = panel_w - 2 * pad
    _text(out, _fit(spec.name, name_size, inner), (pad, name_y), name_size, WHITE)
    _text(out, count, (pad, count_y), count_size, GOOD)
    if sides:
        _text(out, sides, (2 * pad + count_w, count_y), status_size, WHITE)
    _text(out, _fit(status, status_size, inner), (pad, status_y), status_size, WHITE)


def draw_hud(
    frame: np.ndarray, result: FrameResult, spec: ExerciseSpec | None, copy: bool = True, *, mark: str | None = None
) -> np.ndarray:
    """The rep count (or hold time), big, top-left, with the exercise above it and phase and
    measure below; the current cue (or note) along the bottom, on up to two lines. ``spec``
    ``None``: nothing recognised yet, only the note is shown. ``mark`` (a cue judged on this
    frame, with its measurement) takes the bottom line's place."""
    out = frame.copy() if copy else frame
    h, w = out.shape[:2]
    unit = float(min(h, w))
    pad = max(2, round(PAD_SHARE * unit))
    if spec is not None:
        _panel(out, result, spec, unit, pad)
    message, colour = (
        (mark, CUE)
        if mark
        else (result.cues[0], CUE)
        if result.cues
        else (result.note, NOTE)
        if result.note
        else (None, WHITE)
    )
    if message:
        size = _size_for(CUE_SHARE * unit)
        line_h = round(CUE_SHARE * unit) + pad
        lines = wrap(message, size, w - 2 * pad)
        top = h - pad - line_h * len(lines)
        _shade(out, (0, top - pad, w, h))
        for i, line in enumerate(lines):
            _text(out, line, (pad, top + line_h * (i + 1) - pad), size, colour)
    return out


def ring_joints(frame: np.ndarray, pose: Pose | None, names: tuple[str, ...], strong: bool) -> None:
    """Circle the joints a cue was judged from (in place): a thick ring on the frame it was
    judged, a thin one while its text stays on the picture."""
    if pose is None:
        return
    unit = float(min(frame.shape[:2]))
    radius = max(6, round(0.045 * unit))
    thickness = max(2, round((0.012 if strong else 0.005) * unit))
    for name in names:
        x, y = pose.xy(name)
        cv2.circle(frame, (round(float(x)), round(float(y))), radius, CUE, thickness, cv2.LINE_AA)


def mirror_frame(frame_rgb: np.ndarray) -> np.ndarray:
    """A copy of the frame flipped left to right, as a mirror shows it."""
    # cv2.flip: ~0.1 ms for a 640x360 frame, where numpy's copy of a reversed view takes ~4 ms.
    return cv2.flip(frame_rgb, 1)


def mirror_pose(pose: Pose, width: int) -> Pose:
    """``pose`` as it appears in the frame flipped left to right (``width`` pixels wide).

    Keypoint names stay: the person's left knee is still their left knee, drawn where the
    mirror shows it.
    """
    flipped = pose.keypoints.copy()
    flipped[:, 0] = width - 1 - flipped[:, 0]
    box = pose.box
    if box is not None:
        box = Box(width - 1 - box.x1, box.y0, width - 1 - box.x0, box.y1)
    return Pose(flipped, pose.score, box)


def live_view(
    frame_rgb: np.ndarray, pose: Pose | None, result: FrameResult, spec: ExerciseSpec | None, *, mirror: bool
) -> np.ndarray:
    """What the webcam page shows: skeleton and HUD over a copy of the frame.

    With ``mirror`` the picture is flipped as a mirror shows it, the skeleton with it, and the
    text drawn afterwards so it still reads. Only the picture is flipped: the pose and the
    count come from the camera's own frame, so left and right stay the person's.
    """
    from fitness.pose.drawing import draw_pose

    if not mirror:
        return draw_hud(draw_pose(frame_rgb, pose), result, spec, copy=False)
    out = mirror_frame(frame_rgb)
    shown = None if pose is None else mirror_pose(pose, frame_rgb.shape[1])
    return draw_hud(draw_pose(out, shown, copy=False), result, spec, copy=False)
