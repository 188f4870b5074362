"""The form faults labelled in ``scenes_manifest.csv`` (kind ``form``), transcribed, and which
reps of the other labelled clips show good form.

Each fault is the labelled rep's time range in seconds and the cue ids that name its fault
(the manifest's fault names mapped to rule ids: torso_forward_lean -> ``chest_up``,
shallow_depth -> ``depth``, heels_rise + knees_forward -> ``heels_up``, knees_caving ->
``knees_in``, hips sagging to the floor -> ``hips_sag``). A fault is caught when a rep or a
partial rep overlapping the range for most of its length draws each named cue.
"""

from __future__ import annotations

from fitness.pipeline.form_check import LabelledFault

FORM = "videos/form/"
FORMGUARD = FORM + "squat_correct_vs_wrong_two_people_side_view_formguard.mp4"

FAULTS: tuple[LabelledFault, ...] = (
    # Two people take turns; single-person tracking follows p2 ("Wrong", right) throughout, and
    # p2's two reps are the labelled faults. p1's good reps (10.8-14.2 s) are not tracked.
    LabelledFault(FORMGUARD, "squat", "p2 rep 1", 0.2, 2.2, "torso_forward_lean", ("chest_up",)),
    LabelledFault(FORMGUARD, "squat", "p2 rep 1", 0.2, 2.2, "shallow_depth", ("depth",)),
    LabelledFault(FORMGUARD, "squat", "p2 rep 2", 3.0, 5.0, "torso_forward_lean", ("chest_up",)),
    LabelledFault(FORMGUARD, "squat", "p2 rep 2", 3.0, 5.0, "shallow_depth", ("depth",)),
    LabelledFault(
        FORM + "squat_incorrect_heels_rise_knees_forward_side_kaiakol002.mp4",
        "squat",
        "rep 1",
        0.1,
        1.5,
        "heels_rise+knees_forward",
        ("heels_up",),
    ),
    LabelledFault(
        FORM + "squat_incorrect_forward_lean_side_kaiakol003.mp4",
        "squat",
        "rep 1",
        0.2,
        1.1,
        "torso_forward_lean",
        ("chest_up",),
    ),
    LabelledFault(
        FORM + "squat_incorrect_knees_caving_front_kaiakol004.mp4",
        "squat",
        "rep 1",
        0.3,
        1.3,
        "knees_caving",
        ("knees_in",),
    ),
    LabelledFault(
        FORM + "pushup_incorrect_hips_sag_on_floor_kaiakol001.mp4",
        "pushup",
        "rep 1",
        0.0,
        4.3,
        "hips_sagging",
        ("hips_sag",),
    ),
    LabelledFault(
        FORM + "pushup_incorrect_hips_sag_on_floor_kaiakol001.mp4",
        "pushup",
        "rep 2",
        4.8,
        9.3,
        "hips_sagging",
        ("hips_sag",),
    ),
)

# Labelled good form in the form folder: reps that must draw no cue.
GOOD_FORM_CLIPS: tuple[tuple[str, str], ...] = ((FORM + "squat_correct_same_subject_side_kaiakol018.avi", "squat"),)

# Reps of manifest.csv / catalogue_manifest.csv clips that are NOT good form, by the clips' own
# notes, left out of the false-alarm count: (clip file name, from s, to s, why).
NOT_GOOD_FORM: tuple[tuple[str, float, float, str], ...] = (
    ("curl_side_tiktok_bajpai.mp4", 0.0, 8.6, "reps 1-3 under a red X: elbows drift forward (the clip's notes)"),
    (
        "pushup_side_tutorial_tayyab.mp4",
        28.7,
        47.0,
        "the second block (f860+) demonstrates sagging hips: an arrow points at the hips dropping (the notes: "
        "'may demonstrate a form fault')",
    ),
    ("curl_closeup_kamran.mp4", 0.0, 10.0, "peak flexion only ~70 deg (the clip's notes): curls stop short of the top"),
    ("pull_up_front_joelo0716.mp4", 0.0, 20.0, "partial range of motion (the clip's notes)"),
    (
        "glute_bridge_multiview_malikmrllh.mp4",
        24.8,
        27.5,
        "the man starts at the top: a partial first bridge (the notes)",
    ),
)

# Labelled faults the coach does not catch, and why (the test checks this list is exact).
KNOWN_MISSES: tuple[tuple[str, str, str, str], ...] = (
    (
        "squat_correct_vs_wrong_two_people_side_view_formguard.mp4",
        "p2 rep 2",
        "shallow_depth",
        "at its bottom the thighs are 6-11 deg above level and the knee closes to 83 deg: as deep as the "
        "good demonstration squat_side_diya.mp4 (thighs 9-14 deg above level, knee 68-77); no bound on "
        "depth tells the two apart (p2's first rep, thighs 21 deg above level, knee 96, does draw 'depth')",
    ),
)
