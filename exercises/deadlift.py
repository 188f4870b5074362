"""Deadlift (conventional or Romanian) with a barbell or weights in the hands.

Counted *flexed -> extended -> flexed*: the lift starts with the bar on the floor (NSCA), rises to
standing and returns. Side-on the hip angle is counted; head-on the torso pitches towards the
camera and the shoulder-to-hip length shrinks instead.
"""

from fitness.engine.spec import (
    AngleDef,
    Channel,
    DistanceDef,
    ExerciseSpec,
    FormRule,
    Phase,
    Requirement,
    RiseDef,
    View,
)

HIP = AngleDef("shoulder", "hip", "knee")
KNEE = AngleDef("hip", "knee", "ankle")
SIDE_VIEWS: frozenset[View] = frozenset({"side", "oblique"})

SPEC = ExerciseSpec(
    key="deadlift",
    name="Deadlift",
    primary=HIP,
    # Standing at lockout the hip reads 160-180 deg; at the bottom the torso is inclined 30-60 deg
    # above horizontal (NSCA set-up), a hip angle of 45-100 on the labelled clips. Lockout: 160 or
    # more; bottom: 110 or less.
    extended=160,
    flexed=110,
    start="flexed",
    # A hinge pitches the torso from upright to near horizontal, and head-on a pitched torso
    # looks like one lying towards the camera: no orientation is required.
    orientation=None,
    setup_message="Stand side-on with your whole body in view",
    primary_views=SIDE_VIEWS,
    # Head-on, the torso pitching forward shows cos(pitch) of its length while the shoulders keep
    # their width: upright the torso reads about 1.5 shoulder widths, pitched 60 deg about 0.75
    # (the labelled front views: 1.5-1.6 standing, 0.45-0.6 at the bottom). Standing: 1.3 or
    # more; bottom: 0.8 or less.
    fallback=Channel(DistanceDef("shoulder", "hip", ("left_shoulder", "right_shoulder")), extended=1.3, flexed=0.8),
    requirements=(
        # The weight hangs from straight arms: at the bottom the wrists are near the knees or
        # below them (a squat holds the bar on the back or the hands at the chest).
        Requirement(
            "Hold the weight in your hands, arms long",
            RiseDef("wrist", "knee", ("shoulder", "hip")),
            max_value=0.4,
            when="flexed",
        ),
        # A hinge, not a squat: NSCA's start has the shins near vertical and the hips above the
        # knees, a knee of 95-130 deg side-on (head-on it reads larger). A deep squat closes the
        # knee to 55-80.
        Requirement("Hinge at the hips: keep your knees only slightly bent", KNEE, min_value=90, when="flexed"),
    ),
    rules=(
        FormRule(
            "rounded_back",
            "Keep your back flat: chest up",
            AngleDef("hip", "shoulder", "ear"),
            "min",
            min_value=130,
            views=SIDE_VIEWS,
            quiet_note="Turn sideways for back feedback",
            source=(
                "NSCA deadlift: a neutral spine, chest up, head in line with the back. With a neutral "
                "spine the ear stays in line with the hip-shoulder line (150-180 deg); a rounded upper "
                "back drops the head towards the hips, below 130."
            ),
        ),
        FormRule(
            "lockout",
            "Stand tall at the top: hips through",
            HIP,
            "max",
            min_value=165,
            views=SIDE_VIEWS,
            quiet_note="Turn sideways for back feedback",
            source="NSCA deadlift: finish fully erect, hips extended (180 deg); 165 allows for the 2-D projection.",
        ),
    ),
    still=("ankle",),
    min_rep_s=0.8,
    never_started="The weight never reached the floor: a deadlift starts from the bottom",
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "bottom",
        Phase.FLEXING: "lifting",
        Phase.FLEXED: "lockout",
        Phase.EXTENDING: "lowering",
    },
)
