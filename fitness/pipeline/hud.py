"""The coaching HUD drawn over a frame with OpenCV: rep count or hold time, phase, measure, cue.

Frames are RGB. Sizes scale with the frame so a 202x360 phone clip and a 4K frame read alike.
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np

from fitness.engine.counter import FrameResult
from fitness.engine.spec import ExerciseSpec

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


def draw_hud(frame: np.ndarray, result: FrameResult, spec: ExerciseSpec | None, copy: bool = True) -> np.ndarray:
    """Rep count (or hold time), phase and measure top-left; the current cue (or note) along the
    bottom. ``spec`` ``None``: nothing recognised yet, only the note is shown."""
    out = frame.copy() if copy else frame
    h, w = out.shape[:2]
    s = _scale(out)
    pad = round(10 * s)
    line = round(34 * s)
    if spec is not None:
        panel_w = min(w, round(300 * s))
        _shade(out, (0, 0, panel_w, pad + line * 4))
        _text(out, _fit(spec.name, 0.7 * s, panel_w - 2 * pad), (pad, pad + round(24 * s)), 0.7 * s, WHITE)
        big = _big_number(result)
        _text(out, big, (pad, pad + round(24 * s) + round(58 * s)), 2.0 * s, GOOD)
        per_side = spec.sides in ("both", "alternating")
        sides = " ".join(f"{k[0].upper()}{v}" for k, v in sorted(result.per_side.items())) if per_side else ""
        if sides:
            x = pad + round((40 + 30 * len(big)) * s)
            _text(out, sides, (x, pad + round(24 * s) + round(50 * s)), 0.6 * s, WHITE)
        phase = spec.phase_labels[result.phase]
        status = _fit(f"{phase} | {_value(result, spec)}", 0.6 * s, panel_w - 2 * pad)
        _text(out, status, (pad, pad + line * 4 - round(12 * s)), 0.6 * s, WHITE)
    message, colour = (result.cues[0], CUE) if result.cues else (result.note, NOTE) if result.note else (None, WHITE)
    if message:
        size = 0.75 * s
        text = _fit(message, size, w - 2 * pad)
        _shade(out, (0, h - line - pad, w, h))
        _text(out, text, (pad, h - pad - round(8 * s)), size, colour)
    return out
