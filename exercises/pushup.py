"""Push-up, counted at the elbow (side/oblique) or by shoulder height (head-on)."""

from exercises.common import SIDE_VIEWS, body_line_rules
from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, HeightSignal, Phase

ELBOW = AngleDef("shoulder", "elbow", "wrist")
SIDE_NOTE = "Turn sideways for depth, lockout and body-line feedback"

SPEC = ExerciseSpec(
    key="pushup",
    name="Push-up",
    primary=ELBOW,
    # Locked-out arms read 150-180 deg on real footage; the bottom 35-80 deg.
    extended=145,
    flexed=100,
    orientation="horizontal",
    setup_message="Get into a plank with your whole body in view",
    primary_views=SIDE_VIEWS,
    # Head-on the elbow may bend towards the camera; shoulder height over arm length does not lie.
    fallback=HeightSignal(
        upper="shoulder", lower="wrist", limbs=(("shoulder", "elbow"), ("elbow", "wrist")), extended=0.9, flexed=0.6
    ),
    rules=(
        *body_line_rules(SIDE_NOTE),
        FormRule(
            "depth",
            "Go lower: chest towards the floor",
            ELBOW,
            "min",
            max_value=90,
            views=SIDE_VIEWS,
            quiet_note=SIDE_NOTE,
            source=(
                "ACE and NSCA push-up: lower until the chest nearly touches the floor, which bends the "
                "elbow to about 90 deg or less (upper arms at least level with the torso)."
            ),
        ),
        FormRule(
            "lockout",
            "Lock out your arms at the top",
            ELBOW,
            "max",
            min_value=155,
            window="start",
            views=SIDE_VIEWS,
            quiet_note=SIDE_NOTE,
            source=(
                "NSCA push-up: each rep starts and ends with the elbows fully extended (180 deg); "
                "155 leaves 25 deg for the 2-D projection and keypoint jitter at the wrist."
            ),
        ),
    ),
    # Hands and feet stay planted on the floor while the body moves between them.
    still=("wrist", "ankle"),
    min_rep_s=0.5,
    phase_labels={
        Phase.SETUP: "get into a plank",
        Phase.EXTENDED: "top",
        Phase.FLEXING: "lowering",
        Phase.FLEXED: "bottom",
        Phase.EXTENDING: "pushing up",
    },
)
