"""``fitness bench``: where the time goes, measured on real footage, every runtime in one run.

What is timed (all on the same clip, in one process, so ratios are fair):

* **live** runs, one per variant x runtime (:mod:`~fitness.bench.live`): the webcam pipeline on
  640x480 frames. The clip is shrunk to 640x480 and re-encoded as H.264 *before* timing
  (:mod:`~fitness.bench.clip`); the timed loop then decodes it frame by frame with PyAV (as
  aiortc does for a WebRTC stream), estimates the pose, counts and draws the skeleton and HUD
  (:mod:`~fitness.bench.pipeline`, as :class:`~fitness.pipeline.live.LiveCoach` does). Each frame
  is split into consecutive stages -- decode, preprocess (crop + resize), inference, postprocess
  (un-crop, smoothing, crop tracking), counting, drawing -- so the stages always add up to no
  more than the frame's latency (:class:`~fitness.bench.stats.LapTimer`).
* **analyze** (:mod:`~fitness.bench.analyze`): :func:`fitness.pipeline.video_analysis.analyze_video`
  over the clip at its own size, as a multiple of real time; plus the whole ``fitness analyze``
  command in a fresh process (on the 720p push-up clip issue 15 names), on every frame and at
  15 poses a second, alternately and repeatedly, with wall and CPU time.
* **soak** (:mod:`~fitness.bench.soak`): the Lightning live pipeline looped for ``soak_minutes``
  of stream time (frames fed as fast as they come), with the resident set size sampled.

:func:`~fitness.bench.run.run_bench` runs them all; :mod:`~fitness.bench.report` holds the
results, the targets and the printed table; :mod:`~fitness.bench.system` says how busy the
machine was. Nothing here asserts a speed: the numbers are reported, the targets checked and shown.
"""
