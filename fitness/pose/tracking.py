"""Several people at once: MultiPose detections -> a stable id per person (norfair).

Each MultiPose detection becomes a norfair ``Detection`` whose points are the 17 keypoints
(scored, so hidden joints are ignored) and whose embedding is a colour histogram of the torso.
norfair's Kalman filter predicts every keypoint; a detection is matched to the track whose
prediction it is nearest, measured in body heights (a pose distance that does not depend on the
camera's resolution or how far away the person stands) plus how different the clothes look.

- **Occlusion and crossing**: a track unmatched for up to ``keep_lost_s`` keeps its id and its
  predicted position; when two people overlap, their clothes tell them apart.
- **Leaving and coming back**: a track lost for longer is "dead" but kept for ``reid_s``; a new
  person who looks like it (clothes, and where they stand) takes its id back, so their counter
  carries on (norfair's ReID).
- **A handover**: a newcomer who appears where someone vanished moments ago (a cut, an occlusion
  ending) is that person, whatever their clothes look like now.
- Poses are only reported for people actually detected in the frame: a prediction is never passed
  off as a measurement, so a hidden person's counter sees "no pose", not an invented one.

:class:`PeopleEstimator` puts it together: MultiPose finds people every few frames, one SinglePose
Lightning crop tracker per person follows each of them on every frame (MultiPose alone squeezes a
wide frame into 256 px and gives small people coarse keypoints), and the tracker numbers the
crops' poses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import cv2
import numpy as np
from norfair import Detection, Tracker
from norfair.distances import Distance
from norfair.tracker import TrackedObject

from fitness.pose.estimator import CropRegion, MultiPoseEstimator, PoseEstimator, next_crop_region
from fitness.pose.keypoints import INDEX
from fitness.pose.types import Pose

log = logging.getLogger(__name__)

MAX_PEOPLE: Final = 6  # MultiPose Lightning returns at most six people
_TORSO: Final = tuple(INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
# Hue x saturation bins: clothes differ in colour first; value (brightness) changes with light.
HIST_BINS: Final = (12, 4)
# The clothes distance assumed when it cannot be measured: between a match (~0.1) and a stranger.
UNKNOWN_LOOK: Final = 0.25
# A newcomer this close (body heights) to where someone vanished moments ago is that person.
HANDOVER_DX: Final = 0.5


@dataclass(frozen=True, slots=True)
class TrackerOptions:
    """How people are followed. Times are in seconds, converted with ``rate_hz`` (updates per second).

    ``max_distance``: a detection further than this from a track (in body heights, plus the
    appearance term) is someone else. At 10 updates a second a person walking briskly moves about
    0.1 body heights and a jumping jack's wrist ~0.3 from the prediction; two people side by side
    stand about a body width (~0.3 heights) or more apart, and then their clothes differ too.
    ``appearance_weight`` scales the clothes distance (0..1, Hellinger) added to the pose distance.
    ``reid_distance``: the largest clothes-plus-position distance at which a returning person takes
    back a lost id.
    """

    rate_hz: float = 30.0
    max_distance: float = 0.6
    appearance_weight: float = 0.5
    keep_lost_s: float = 1.0
    reid_s: float = 6.0
    reid_distance: float = 0.5
    confirm_frames: int = 2
    keypoint_threshold: float = 0.3

    def __post_init__(self) -> None:
        if not self.rate_hz > 0:
            raise ValueError(f"rate_hz must be positive, got {self.rate_hz}")
        for name in ("max_distance", "reid_distance", "keep_lost_s", "reid_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not 0.0 <= self.appearance_weight <= 1.0:
            raise ValueError(f"appearance_weight must be within [0, 1], got {self.appearance_weight}")
        if not 0.0 <= self.keypoint_threshold <= 1.0:
            raise ValueError(f"keypoint_threshold must be within [0, 1], got {self.keypoint_threshold}")
        if self.confirm_frames < 0 or self.confirm_frames >= self.lost_frames:
            raise ValueError(
                f"confirm_frames must be within [0, {self.lost_frames}) (keep_lost_s x rate_hz), "
                f"got {self.confirm_frames}"
            )

    @property
    def lost_frames(self) -> int:
        return max(2, round(self.keep_lost_s * self.rate_hz))

    @property
    def handover_frames(self) -> int:
        """Half a second: "moments ago" for a vanished person whose place a newcomer takes."""
        return max(1, round(0.5 * self.rate_hz))

    @property
    def reid_frames(self) -> int:
        return max(1, round(self.reid_s * self.rate_hz))


def body_height(pose: Pose, threshold: float = 0.3) -> float:
    """The person's height in pixels: the box if MultiPose gave one, else the keypoints' extent."""
    if pose.box is not None and pose.box.height > 1.0:
        return pose.box.height
    kps = pose.keypoints
    seen = kps[kps[:, 2] >= threshold]
    if len(seen) < 2:
        return 1.0
    return float(max(np.ptp(seen[:, 1]), np.ptp(seen[:, 0]) / 2.0, 1.0))


def centre_x(pose: Pose, threshold: float = 0.3) -> float:
    """Horizontal centre in pixels: the box's, else the mean of the confident keypoints."""
    if pose.box is not None:
        return (pose.box.x0 + pose.box.x1) / 2.0
    kps = pose.keypoints
    seen = kps[kps[:, 2] >= threshold]
    return float(seen[:, 0].mean()) if len(seen) else float(kps[:, 0].mean())


def appearance(frame: np.ndarray, pose: Pose, threshold: float = 0.3) -> np.ndarray | None:
    """Normalised hue-saturation histogram of the torso (shoulders to hips): what they wear.

    Falls back to the middle of the box when the torso is not seen; ``None`` when neither is.
    """
    h, w = frame.shape[:2]
    torso = pose.keypoints[list(_TORSO)]
    if (torso[:, 2] >= threshold).sum() >= 3:
        pts = torso[torso[:, 2] >= threshold, :2]
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        # Side views give a narrow torso: widen to a fifth of its height so there are pixels to read.
        half = max((x1 - x0) / 2.0, (y1 - y0) / 5.0)
        cx = (x0 + x1) / 2.0
        x0, x1 = cx - half, cx + half
    elif pose.box is not None:
        b = pose.box
        x0, x1 = b.x0 + b.width / 4.0, b.x1 - b.width / 4.0
        y0, y1 = b.y0 + b.height / 4.0, b.y1 - b.height / 3.0
    else:
        return None
    xa, xb = int(max(0, x0)), int(min(w, x1))
    ya, yb = int(max(0, y0)), int(min(h, y1))
    if xb - xa < 2 or yb - ya < 2:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(frame[ya:yb, xa:xb]), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, list(HIST_BINS), [0, 180, 0, 256]).ravel()
    total = float(hist.sum())
    return hist / total if total > 0 else None


def hellinger(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    """0 for the same colour histogram, 1 for disjoint ones; ``None`` if either is missing."""
    if a is None or b is None:
        return None
    return float(np.sqrt(max(0.0, 1.0 - float(np.sqrt(a * b).sum()))))


def _mean_embedding(obj: TrackedObject) -> np.ndarray | None:
    """The track's look: mean of the embeddings norfair kept across its lifetime."""
    found = [d.embedding for d in (*obj.past_detections, obj.last_detection) if d.embedding is not None]
    return np.mean(found, axis=0) if found else None


@dataclass(frozen=True, slots=True)
class _Tag:
    """What a norfair detection carries: the pose, the update it came from and its time."""

    pose: Pose
    update: int
    t_ms: float | None = None


def pose_distance(a: np.ndarray, b: np.ndarray, scale: float, threshold: float) -> float:
    """Mean distance of the keypoints seen in both ``(17, 3)`` x, y, score arrays, in units of
    ``scale`` (a body height); the distance of the seen keypoints' centres if fewer than 3 are shared."""
    sa, sb = a[:, 2] >= threshold, b[:, 2] >= threshold
    both = sa & sb
    if int(both.sum()) >= 3:
        return float(np.linalg.norm(a[both, :2] - b[both, :2], axis=1).mean() / scale)
    ca = a[sa, :2].mean(axis=0) if sa.any() else a[:, :2].mean(axis=0)
    cb = b[sb, :2].mean(axis=0) if sb.any() else b[:, :2].mean(axis=0)
    return float(np.linalg.norm(ca - cb) / scale)


class _PoseDistance(Distance):
    """Detection -> track: predicted keypoints in body heights, plus the clothes term."""

    def __init__(self, options: TrackerOptions) -> None:
        self.options = options

    def get_distances(self, objects: Sequence[TrackedObject], candidates: Sequence[Any] | None) -> np.ndarray:
        cands = list(candidates or ())
        out = np.full((len(cands), len(objects)), np.inf)
        opts = self.options
        for o, obj in enumerate(objects):
            ref_tag: _Tag = obj.last_detection.data
            predicted = np.column_stack([obj.estimate, ref_tag.pose.keypoints[:, 2]])
            look = _mean_embedding(obj)
            for c, det in enumerate(cands):
                tag: _Tag = det.data
                scale = (body_height(tag.pose) + body_height(ref_tag.pose)) / 2.0
                d = pose_distance(tag.pose.keypoints, predicted, scale, opts.keypoint_threshold)
                app = hellinger(det.embedding, look)
                out[c, o] = d + (opts.appearance_weight * app if app is not None else 0.0)
        return out


def _reid_distance(options: TrackerOptions, clock: Callable[[], int]) -> Any:
    def distance(new: TrackedObject, old: TrackedObject) -> float:
        """A newcomer vs a lost person: clothes first, then where they stand. A hidden person walks
        on at anything between a stop and their last speed, so they come back somewhere between
        where they vanished and where the track's prediction has carried them; half a body height
        outside that stretch adds 0.25."""
        a: _Tag = new.last_detection.data
        b: _Tag = old.last_detection.data
        app = hellinger(_mean_embedding(new), _mean_embedding(old))
        scale = (body_height(a.pose) + body_height(b.pose)) / 2.0
        seen = b.pose.keypoints[:, 2] >= options.keypoint_threshold
        last = centre_x(b.pose)
        heading = float(old.estimate[seen, 0].mean()) if seen.any() else last
        x = centre_x(a.pose)
        dx = max(0.0, min(last, heading) - x, x - max(last, heading)) / scale
        if clock() - b.update <= options.handover_frames and dx < HANDOVER_DX:
            # Someone vanished and someone appeared in their place in the same instant: the same
            # person seen anew (a cut, an occlusion ending, a changed view), whatever the clothes
            # look like now. Among several such, the nearest wins (norfair matches greedily).
            return 0.5 * dx
        # Without frames (no clothes to compare) the position decides alone.
        return (app if app is not None else UNKNOWN_LOOK) + 0.5 * min(dx, 2.0)

    return distance


class PoseTracker:
    """``update(poses, frame) -> {person_id: Pose}``: ids from 1, stable across frames.

    Call once per processed frame, at ``options.rate_hz``, even when nobody was detected (an
    empty list advances the predictions). ``frame`` (RGB) gives the clothes histograms; without
    it tracking uses positions only. Not thread-safe: one per stream.

    A new person is reported once seen on ``confirm_frames + 1`` updates (one stray detection is
    nobody); ``earlier`` then has, for each id first reported on this update, the ``(t_ms, pose)``
    of the updates before that saw them, oldest first, so a counter can start from their first
    frame: someone who starts moving as the video starts loses no rep to the confirmation.
    """

    def __init__(self, options: TrackerOptions | None = None) -> None:
        self.options = options or TrackerOptions()
        self.reset()

    def reset(self) -> None:
        opts = self.options
        self._tracker = Tracker(
            distance_function="euclidean",  # replaced below: norfair wants a Distance at construction
            distance_threshold=opts.max_distance,
            hit_counter_max=opts.lost_frames,
            initialization_delay=opts.confirm_frames,
            detection_threshold=opts.keypoint_threshold,
            # Enough to hold every detection of a track being confirmed (see ``earlier``).
            past_detections_length=max(8, opts.confirm_frames + 2),
            reid_distance_function=_reid_distance(opts, lambda: self._updates),
            reid_distance_threshold=opts.reid_distance,
            reid_hit_counter_max=opts.reid_frames,
        )
        self._tracker.distance_function = _PoseDistance(opts)
        self._updates = 0
        self.busy_s = 0.0  # time spent in update() since the reset (the benchmark's "tracking")
        self._reported: set[int] = set()
        self.earlier: dict[int, tuple[tuple[float, Pose], ...]] = {}

    @property
    def people_seen(self) -> int:
        """How many different people (ids) were confirmed so far."""
        return int(self._tracker.total_object_count)

    def update(
        self, poses: Sequence[Pose], frame: np.ndarray | None = None, t_ms: float | None = None
    ) -> dict[int, Pose]:
        """``t_ms``: the frame's time, for ``earlier`` (without it ``earlier`` stays empty)."""
        started = time.perf_counter()
        self._updates += 1
        # Left to right: people who appear together are created in this order, so their ids
        # usually run left to right (norfair confirms them in the order they then match).
        detections = [
            Detection(
                points=p.keypoints[:, :2].copy(),
                scores=p.keypoints[:, 2].copy(),
                data=_Tag(p, self._updates, t_ms),
                embedding=appearance(frame, p, self.options.keypoint_threshold) if frame is not None else None,
            )
            for p in sorted(poses, key=centre_x)
        ]
        active = self._tracker.update(detections)
        out: dict[int, Pose] = {}
        self.earlier = {}
        for obj in active:
            tag: _Tag = obj.last_detection.data
            if obj.id is not None and tag.update == self._updates:
                person = int(obj.id)
                out[person] = tag.pose
                if person not in self._reported:
                    self._reported.add(person)
                    before = _before(obj, self._updates)
                    if before:
                        self.earlier[person] = before
        self.busy_s += time.perf_counter() - started
        return dict(sorted(out.items()))


def _before(obj: TrackedObject, update: int) -> tuple[tuple[float, Pose], ...]:
    """The timed poses a track was matched to before ``update`` (its confirmation), oldest first.
    norfair keeps a young track's every detection (its ``past_detections_length`` is set above
    the confirmation delay), so these are all of them."""
    tags: dict[int, _Tag] = {}
    for det in obj.past_detections:
        tag: _Tag = det.data
        if tag.update < update and tag.t_ms is not None:
            tags[tag.update] = tag
    return tuple((tags[k].t_ms or 0.0, tags[k].pose) for k in sorted(tags))


def crop_around(pose: Pose, height: int, width: int) -> CropRegion:
    """The single-pose crop (TF.js ``determine_crop_region``) around a pose given in pixels."""
    kps = pose.keypoints
    norm = np.stack([kps[:, 1] / height, kps[:, 0] / width, kps[:, 2]], axis=1)
    return next_crop_region(norm, height, width)


@dataclass(frozen=True, slots=True)
class PeopleOptions:
    """How :class:`PeopleEstimator` finds people.

    ``max_people``: follow at most this many (the clearest MultiPose detections first).
    ``refine``: each person found by MultiPose is then followed by SinglePose Lightning on a crop
    around them (the one-person path's crop tracking, one per person), and MultiPose runs on every
    ``detect_every``-th frame only, to find newcomers. Once ``max_people`` are followed a newcomer
    gets no crop anyway, so MultiPose then runs on every ``recount_every``-th frame, only to count
    the people in view (:attr:`PeopleEstimator.last_detections`); as soon as a crop loses its
    person, it looks for people every ``detect_every``-th frame again. Without ``refine``
    MultiPose's own keypoints are used on every frame: it sees the whole frame squeezed into
    256 px, so small people (a wide frame, a person far away) get coarse keypoints and low scores.
    ``min_pose_score``: a MultiPose detection below this is nobody. With ``refine`` it only has to
    say where to look (the crop's own pose must then pass the one-person checks), so it can be lower.
    """

    max_people: int = MAX_PEOPLE
    refine: bool = True
    detect_every: int = 3
    recount_every: int = 15
    min_pose_score: float = 0.15
    tracker: TrackerOptions = TrackerOptions()

    def __post_init__(self) -> None:
        if not 1 <= self.max_people <= MAX_PEOPLE:
            raise ValueError(f"max_people must be within [1, {MAX_PEOPLE}], got {self.max_people}")
        if self.detect_every < 1 or (self.detect_every > 1 and not self.refine):
            raise ValueError(f"detect_every must be 1, or more with refine, got {self.detect_every}")
        if self.recount_every < self.detect_every:
            raise ValueError(
                f"recount_every must be at least detect_every ({self.detect_every}), got {self.recount_every}"
            )
        if not 0.0 <= self.min_pose_score <= 1.0:
            raise ValueError(f"min_pose_score must be within [0, 1], got {self.min_pose_score}")


# Two poses whose keypoints are on average closer than this (in body heights) are one body: a
# detection already followed, or two crops that slid onto the same person.
SAME_BODY: Final = 0.15
# MultiPose's coarse keypoints sit a little off the refined ones: a detection this close to a
# followed pose is that person.
COVERED: Final = 0.2


# One joint of one kind (an ankle, left or right) in two people's poses closer than this, in body
# heights, is one joint: a crop that takes in a neighbour's legs reads the neighbour's ankle as
# its own person's (a seated curl next to a standing squat: the curler "gets" the squatter's
# ankles and looks like a wall sit). Two people's same joints are rarely within a tenth of a body
# height (about 17 cm) of each other unless one stands in front of the other.
SHARED_JOINT: Final = 0.1
_MIRROR: Final = tuple(
    INDEX[n.replace("left_", "right_")] if n.startswith("left_") else INDEX[n.replace("right_", "left_")] for n in INDEX
)


def disown_shared(poses: Sequence[Pose], threshold: float) -> list[Pose]:
    """``poses`` with every joint two of them claim at one spot left to the pose that sees it more
    clearly: the other's copy gets score 0 (not seen), so its counter never measures a stranger's leg."""
    kps = [p.keypoints.copy() for p in poses]
    heights = [body_height(p, threshold) for p in poses]
    changed = [False] * len(poses)
    for a in range(len(poses)):
        for b in range(a + 1, len(poses)):
            limit = SHARED_JOINT * max(heights[a], heights[b])
            for i in range(len(_MIRROR)):
                for j in {i, _MIRROR[i]}:
                    ka, kb = kps[a][i], kps[b][j]
                    if ka[2] < threshold or kb[2] < threshold:
                        continue
                    if float(np.hypot(ka[0] - kb[0], ka[1] - kb[1])) < limit:
                        loser = a if ka[2] < kb[2] else b
                        kps[loser][i if loser == a else j, 2] = 0.0
                        changed[loser] = True
    return [replace(p, keypoints=k) if c else p for p, k, c in zip(poses, kps, changed, strict=True)]


def _apart(a: Pose, b: Pose, threshold: float) -> float:
    scale = (body_height(a, threshold) + body_height(b, threshold)) / 2.0
    return pose_distance(a.keypoints, b.keypoints, scale, threshold)


class PeopleEstimator:
    """``estimate(frame, t_ms) -> {person_id: Pose}``: people found by MultiPose, followed (with
    ``refine``) by one SinglePose crop each, numbered by the tracker. One per stream; not thread-safe.

    With ``refine`` the tracker sees the refined poses on every frame, so ids rest on the best
    keypoints there are. A crop that loses its person is dropped (MultiPose finds them again); when
    two crops settle on one body the older keeps it, and the tracker, not the crop, decides whose
    body it is, so a crop sliding onto the other person cannot carry one person's id to the other.
    ``last_detections``: what MultiPose saw on the latest frame it ran (everyone, before the
    ``max_people`` cut), for "how many people are in view".
    """

    def __init__(
        self,
        multipose: MultiPoseEstimator,
        single: PoseEstimator | None = None,
        options: PeopleOptions | None = None,
    ) -> None:
        self.options = options or PeopleOptions()
        if self.options.refine and single is None:
            raise ValueError("refine needs a SinglePose estimator")
        if multipose.options.min_pose_score > self.options.min_pose_score:
            raise ValueError(
                f"the MultiPose estimator drops people below {multipose.options.min_pose_score}, "
                f"above min_pose_score {self.options.min_pose_score}: give it EstimatorOptions(min_pose_score=...)"
            )
        self.multipose = multipose
        self.single = single
        self.tracker = PoseTracker(self.options.tracker)
        self._crops: dict[int, PoseEstimator] = {}  # crop trackers by age (lower = older)
        self._misses: dict[int, int] = {}  # frames in a row without a usable pose, per crop
        self._next_crop = 0
        self._undetected = 0  # frames since MultiPose last ran (0: it runs on the next one)
        self.last_detections: list[Pose] = []

    def configure(self, options: PeopleOptions) -> None:
        """New options (e.g. the stream's frame rate for the tracker); starts afresh."""
        self.options = options
        self.tracker = PoseTracker(options.tracker)
        self.reset()

    def reset(self) -> None:
        self.tracker.reset()
        self._crops.clear()
        self._misses.clear()
        self._undetected = 0
        self.last_detections = []

    def detect(self, frame: np.ndarray) -> list[Pose]:
        """Everyone MultiPose finds, clearest first."""
        poses = [p for p in self.multipose.estimate_all(frame) if p.score >= self.options.min_pose_score]
        self.last_detections = poses
        return poses

    def estimate(self, frame: np.ndarray, t_ms: float) -> dict[int, Pose]:
        opts = self.options
        if not opts.refine:
            return self.tracker.update(self.detect(frame)[: opts.max_people], frame, t_ms)
        followed = self._follow(frame, t_ms)
        every = opts.recount_every if len(self._crops) >= opts.max_people else opts.detect_every
        if self._undetected == 0 or self._undetected >= every:
            self._undetected = 0
            followed.update(self._add_newcomers(frame, t_ms, followed))
        self._undetected += 1
        poses = disown_shared(list(followed.values()), opts.tracker.keypoint_threshold)
        return self.tracker.update(poses, frame, t_ms)

    @property
    def earlier(self) -> dict[int, tuple[tuple[float, Pose], ...]]:
        """:attr:`PoseTracker.earlier` of the latest frame: newly reported people's first poses."""
        return self.tracker.earlier

    def _follow(self, frame: np.ndarray, t_ms: float) -> dict[int, Pose]:
        """Each crop's pose on this frame; crops that lost their person, or doubled another, go."""
        thr = self.options.tracker.keypoint_threshold
        out: dict[int, Pose] = {}
        for key in sorted(self._crops):
            crop = self._crops[key]
            pose = crop.estimate(frame, t_ms)
            if pose is None:
                # A pose too unsure to use: keep following (as the one-person path does) unless the
                # crop lost its person altogether or has seen nobody for a while.
                self._misses[key] = self._misses.get(key, 0) + 1
                if not crop.following or self._misses[key] > self.options.tracker.lost_frames:
                    self._drop(key)
                continue
            if any(_apart(pose, kept, thr) < SAME_BODY for kept in out.values()):
                self._drop(key)
                continue
            self._misses.pop(key, None)
            out[key] = pose
        return out

    def _drop(self, key: int) -> None:
        del self._crops[key]
        self._misses.pop(key, None)

    def _add_newcomers(self, frame: np.ndarray, t_ms: float, followed: Mapping[int, Pose]) -> dict[int, Pose]:
        """A crop for each MultiPose detection nobody is following yet, clearest first."""
        assert self.single is not None
        thr = self.options.tracker.keypoint_threshold
        h, w = frame.shape[:2]
        added: dict[int, Pose] = {}
        for det in self.detect(frame):
            if len(self._crops) >= self.options.max_people:
                break
            taken = [*followed.values(), *added.values()]
            if any(_apart(det, p, thr) < COVERED for p in taken):
                continue
            crop = PoseEstimator(self.single.backend, self.single.options)
            crop.start_at(crop_around(det, h, w))
            pose = crop.estimate(frame, t_ms)
            if pose is None or any(_apart(pose, p, thr) < SAME_BODY for p in taken):
                continue
            self._crops[self._next_crop] = crop
            added[self._next_crop] = pose
            self._next_crop += 1
        return added
