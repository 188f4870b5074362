"""Push-up, counted at the elbow (side/oblique) or by shoulder height (head-on)."""

from fitness.engine.spec import AngleDef, BendDef, ExerciseSpec, FormRule, HeightSignal, Phase, View

ELBOW = AngleDef("shoulder", "elbow", "wrist")
BODY_LINE = BendDef("shoulder", "hip", "ankle")
SIDE_VIEWS: frozenset[View] = frozenset({"side", "oblique"})
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
        FormRule(
            "hips_sag",
            "Tighten your core: hips are sagging",
            BODY_LINE,
            "max",
            max_value=15,
            views=SIDE_VIEWS,
            quiet_note=SIDE_NOTE,
        ),
        FormRule(
            "hips_pike",
            "Lower your hips into a straight line",
            BODY_LINE,
            "min",
            min_value=-20,
            views=SIDE_VIEWS,
            quiet_note=SIDE_NOTE,
        ),
        FormRule(
            "depth",
            "Go lower: chest towards the floor",
            ELBOW,
            "min",
            max_value=90,
            views=SIDE_VIEWS,
            quiet_note=SIDE_NOTE,
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
