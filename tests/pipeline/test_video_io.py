"""The one video reader (PyAV) against clips made by the ffmpeg command line: codecs, rotation,
sample aspect ratio, real timestamps, cut files, sizes; and writers that never leave half a file."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from fitness.errors import InputFileError
from fitness.pipeline.video_io import (
    CUT_SHORT,
    DEFAULT_MAX_SIDE,
    MIN_STEP_MS,
    Sampler,
    Timeline,
    WriterContext,
    cut_short,
    decoder_threads,
    display_size,
    fit_size,
    open_video,
    open_writer,
)
from tests.media import cut_clip, encoders, ffmpeg, frame_times_ms, one_pixel_clip, pattern_clip, raw_rgb_frame, sha256


def read_all(
    path: Path, max_side: int | None = DEFAULT_MAX_SIDE, size: tuple[int, int] | None = None
) -> tuple[list[float], list[np.ndarray]]:
    times, frames = [], []
    with open_video(path, max_side=max_side, size=size) as video:
        for frame in video:
            times.append(frame.t_ms)
            frames.append(frame.rgb)
    return times, frames


# -- what ffmpeg decodes, the reader decodes ---------------------------------------------------


@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_rotation_metadata_is_applied_as_ffmpeg_does(tmp_path: Path, degrees: int) -> None:
    # Lossless, so the reader's pixels can be compared with ffmpeg's own auto-rotated output.
    upright = pattern_clip(tmp_path / "upright.mp4", size="160x96", args=("-c:v", "libx264", "-qp", "0"))
    turned = tmp_path / f"turned{degrees}.mp4"
    ffmpeg("-i", str(upright), "-c", "copy", "-metadata:s:v:0", f"rotate={degrees}", str(turned))
    with open_video(turned) as video:
        first = next(iter(video)).rgb
        size = (video.display_width, video.display_height)
    assert size == ((96, 160) if degrees != 180 else (160, 96))
    assert first.shape == (size[1], size[0], 3)
    want = np.frombuffer(raw_rgb_frame(turned, *size), np.uint8).reshape(first.shape)
    assert np.abs(first.astype(int) - want).mean() < 2.0


def test_sample_aspect_ratio_is_applied(tmp_path: Path) -> None:
    # Stored 1080x720 with 3:8 pixels, shown 405x720: the *_wurminator69420.mp4 clips' format.
    clip = pattern_clip(tmp_path / "anamorphic.mp4", size="1080x720", args=("-vf", "setsar=3/8"))
    with open_video(clip) as video:
        assert (video.display_width, video.display_height) == (405, 720)
        first = next(iter(video)).rgb
    assert first.shape == (720, 405, 3)
    want = np.frombuffer(raw_rgb_frame(clip, 405, 720), np.uint8).reshape(first.shape)
    assert np.abs(first.astype(int) - want).mean() < 4.0


def test_av1_is_decoded(tmp_path: Path) -> None:
    available = encoders()
    codec = next((c for c in ("libsvtav1", "libaom-av1") if c in available), None)
    if codec is None:
        pytest.skip("this ffmpeg has no AV1 encoder (libsvtav1 or libaom-av1) to make the clip")
    speed = ("-preset", "12") if codec == "libsvtav1" else ("-cpu-used", "8")
    clip = pattern_clip(tmp_path / "av1.mp4", size="160x128", args=("-c:v", codec, *speed, "-pix_fmt", "yuv420p"))
    times, frames = read_all(clip)
    assert len(frames) == 30 and frames[0].shape == (128, 160, 3)
    assert times == pytest.approx(frame_times_ms(clip), abs=0.5)


@pytest.mark.slow
def test_the_av1_tutorial_clip_decodes_all_450_frames(data_dir: Path) -> None:
    times, frames = read_all(data_dir / "videos/form/squat_correct_vs_wrong_two_people_side_view_formguard.mp4")
    assert len(frames) == 450 and frames[0].shape == (1280, 720, 3)
    assert times[-1] == pytest.approx(449 * 1000 / 30, abs=1.0)


@pytest.mark.slow
def test_anamorphic_catalogue_clip_is_shown_405_wide(data_dir: Path) -> None:
    with open_video(data_dir / "videos/tricep_dip/tricep_dip_front_wurminator69420.mp4") as video:
        assert (video.display_width, video.display_height) == (405, 720)
        assert next(iter(video)).rgb.shape == (720, 405, 3)


# -- time ---------------------------------------------------------------------------------------


def test_variable_frame_rate_gives_each_frame_its_own_time(tmp_path: Path) -> None:
    # The first second at 10 fps, the next at 30 fps: the average rate (20 fps) would put the
    # frame at 1.0 s at 0.5 s.
    clip = pattern_clip(
        tmp_path / "vfr.mp4", seconds=2.0, args=("-vf", "select='gte(t,1)+not(mod(n,3))'", "-vsync", "vfr")
    )
    want = frame_times_ms(clip)
    assert len(want) == 40
    times, _ = read_all(clip)
    assert times == pytest.approx(want, abs=0.5)
    assert times[10] == pytest.approx(1000.0, abs=0.5)
    with open_video(clip) as video:
        assert 18 < video.fps < 21  # the average (40 frames over 2 s and a last frame), for writers
        for _ in video:
            pass
        assert video.decoded_duration_ms == pytest.approx(2000.0, abs=40.0)


def test_timeline_is_strictly_increasing_whatever_the_pts() -> None:
    tb = Fraction(1, 1000)
    line = Timeline(fps=25.0)
    # A normal start (not at 0), a duplicated pts, one going backwards, one missing.
    got = [line.t_ms(p, tb) for p in (500, 540, 540, 520, None, 660, 700)]
    assert got == [0.0, 40.0, 40.0 + MIN_STEP_MS, 40.0 + 2 * MIN_STEP_MS, 42.0 + 40.0, 160.0, 200.0]
    assert line.retimed == 3
    assert all(b > a for a, b in itertools.pairwise(got))
    # No pts at all (raw streams): the nominal rate.
    bare = Timeline(fps=20.0)
    assert [bare.t_ms(None, None) for _ in range(3)] == [0.0, 50.0, 100.0]


# -- sizes --------------------------------------------------------------------------------------


def test_size_rules() -> None:
    assert display_size((1080, 720), Fraction(3, 8), 0) == (405, 720)
    assert display_size((1920, 1080), Fraction(1, 1), 1) == (1080, 1920)
    assert display_size((640, 480), None, 2) == (640, 480)
    assert fit_size((4000, 4000), 1280) == (1280, 1280)
    assert fit_size((3840, 2160), 1280) == (1280, 720)
    assert fit_size((640, 480), 1280) == (640, 480)  # never enlarged
    assert fit_size((4000, 3000), None) == (4000, 3000)
    # Decoder threads: one up to 1080p (one core keeps up with the model); above, one per core
    # unless their frames would take more than ~100 MB.
    assert decoder_threads(1280, 720, 8) == 1
    assert decoder_threads(1920, 1080, 8) == 1
    assert decoder_threads(3840, 2160, 8) == 4
    assert decoder_threads(3840, 2160, 2) == 2
    assert decoder_threads(4000, 4000, 16) == 2
    assert decoder_threads(8000, 8000, 16) == 1


def test_large_frames_are_shrunk_at_decode_unless_asked(tmp_path: Path) -> None:
    clip = pattern_clip(tmp_path / "wide.mp4", size="2000x1000", seconds=0.2)
    _, frames = read_all(clip)
    assert frames[0].shape == (640, 1280, 3)
    _, frames = read_all(clip, max_side=None)
    assert frames[0].shape == (1000, 2000, 3)
    _, frames = read_all(clip, size=(192, 192))
    assert frames[0].shape == (192, 192, 3)
    with open_video(clip) as video:
        assert (video.display_width, video.display_height, video.width, video.height) == (2000, 1000, 1280, 640)


def test_a_1x1_video_is_refused_in_a_sentence(tmp_path: Path) -> None:
    clip = one_pixel_clip(tmp_path / "dot.mp4")
    with pytest.raises(InputFileError, match=r"is 1x1 pixels: too small to show a person"):
        open_video(clip)


# -- cut files ----------------------------------------------------------------------------------


def test_a_cut_file_decodes_its_start_and_says_how_much_was_announced(tmp_path: Path) -> None:
    cut = cut_clip(tmp_path)
    with open_video(cut) as video:
        assert video.frame_count == 255
        decoded = sum(1 for _ in video)
    assert 0 < decoded < 30
    assert cut_short(decoded, 255)
    assert not cut_short(round(CUT_SHORT * 255), 255) and not cut_short(5, 0)


# -- writers ------------------------------------------------------------------------------------


def test_annotated_video_keeps_the_frames_times(tmp_path: Path) -> None:
    out = tmp_path / "vfr_out.mp4"
    times = [0.0, 100.0, 200.0, 233.3, 266.7, 300.0, 400.0]
    with WriterContext(open_writer(out, 20.0, (64, 48))) as writer:
        assert writer is not None
        for i, t in enumerate(times):
            writer.write(np.full((48, 64, 3), i * 30, np.uint8), t)
    got, _ = read_all(out)
    assert got == pytest.approx(times, abs=1.0)


@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_a_failed_write_leaves_the_old_file_and_no_debris(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"annotated{suffix}"
    out.write_bytes(b"the good file from yesterday")
    before = sha256(out)
    with pytest.raises(RuntimeError), WriterContext(open_writer(out, 30.0, (64, 48))) as writer:
        assert writer is not None
        for i in range(10):
            writer.write(np.full((48, 64, 3), i, np.uint8))
        raise RuntimeError("the analysis failed halfway")
    assert sha256(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    # A finished write replaces it whole.
    with WriterContext(open_writer(out, 30.0, (64, 48))) as writer:
        assert writer is not None
        writer.write(np.zeros((48, 64, 3), np.uint8))
    assert sha256(out) != before and sorted(p.name for p in tmp_path.iterdir()) == [out.name]


@pytest.mark.slow
def test_rep_times_on_variable_frame_rate_video_are_real_times(data_dir: Path, tmp_path: Path) -> None:
    """A labelled clip (3 squats) re-timed by ffmpeg: its first half keeps every third frame
    (10 fps), the second half all of them (30 fps), each frame at its original time. The reps
    happen when they happen in the original, not where frame index / average fps (19.7) puts
    them (the first rep's start 0.8 s early, the last one's bottom 0.8 s early)."""
    from fitness.pipeline.video_analysis import analyze_video

    original = data_dir / "videos/squat/squat_side_barbell_formfit.mp4"
    vfr = tmp_path / "vfr.mp4"
    ffmpeg("-i", str(original), "-an", "-vf", "select='gte(t,4.25)+not(mod(n,3))'", "-vsync", "vfr", str(vfr))
    truth = analyze_video(original, "squat")
    result = analyze_video(vfr, "squat")
    assert truth.count == result.count == 3 and result.video.frames == 170
    # At 10 fps a turning point can only be seen to the nearest 100 ms frame.
    for got, want in zip(result.reps, truth.reps, strict=True):
        assert got.start_ms == pytest.approx(want.start_ms, abs=150)
        assert got.bottom_ms == pytest.approx(want.bottom_ms, abs=150)
        assert got.end_ms == pytest.approx(want.end_ms, abs=150)
    assert result.video.duration_ms == pytest.approx(truth.video.duration_ms, abs=100)


# -- thinning out to a lower frame rate ---------------------------------------------------------


def _kept(fps: float | None, times: list[float], nominal_fps: float = 30.0) -> list[int]:
    sampler = Sampler(fps, 1000.0 / nominal_fps)
    return [i for i, t in enumerate(times) if sampler.keep(t)]


def test_sampler_keeps_frames_at_most_a_period_apart() -> None:
    at = [i * 1000.0 / 30 for i in range(9)]
    assert _kept(15, at) == [0, 2, 4, 6, 8]
    assert _kept(None, at) == list(range(9))
    assert _kept(15, [round(i * 1001 / 30) for i in range(9)], 29.97) == [0, 2, 4, 6, 8]  # ms-rounded 29.97
    assert _kept(15, [i * 1000.0 / 60 for i in range(9)], 60) == [0, 4, 8]
    assert _kept(15, [i * 20.0 for i in range(7)], 50) == [0, 3, 6]  # 16.7 fps: never below 15
    assert _kept(15, [i * 40.0 for i in range(5)], 25) == [0, 1, 2, 3, 4]
    # Variable rate: a burst of close frames is thinned, a slow stretch keeps every frame. The
    # successor is guessed from the last interval, so a sudden slow-down (70 -> 150) is not
    # foreseen: that one gap is longer.
    kept = _kept(15, [0, 10, 20, 30, 40, 50, 60, 70, 150, 250, 350])
    assert kept == [0, 6, 8, 9, 10]
    with pytest.raises(ValueError, match="positive"):
        Sampler(0, 33.3)


def test_a_thinned_reader_hands_out_every_other_frame_at_its_own_time(tmp_path: Path) -> None:
    clip = pattern_clip(tmp_path / "thirty.mp4", seconds=1.0)
    times, frames = read_all(clip)
    with open_video(clip, sample_fps=15) as video:
        thinned = [(f.index, f.t_ms, f.rgb) for f in video]
        decoded, duration = video.decoded, video.decoded_duration_ms
    # Every other frame, and the last one: the video still ends where it ends.
    assert [i for i, _, _ in thinned] == [*range(0, 30, 2), 29]
    assert [t for _, t, _ in thinned] == [*times[::2], times[29]]
    assert all(np.array_equal(rgb, frames[i]) for i, _, rgb in thinned)
    # What was decoded is the whole video, handed out or not (VideoInfo, cut-short checks).
    assert decoded == 30
    assert duration == pytest.approx(1000.0, abs=1.0)


def test_a_thinned_two_frame_clip_keeps_both(tmp_path: Path) -> None:
    clip = pattern_clip(tmp_path / "two.mp4", seconds=2 / 30)
    with open_video(clip, sample_fps=15) as video:
        assert [f.index for f in video] == [0, 1]
