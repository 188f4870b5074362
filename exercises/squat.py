"""Bodyweight or barbell squat, counted at the knee (side/oblique) or by hip height (front)."""

from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, HeightSignal, Phase, TiltDef, View, WidthRatioDef

KNEE = AngleDef("hip", "knee", "ankle")
SIDE_VIEWS: frozenset[View] = frozenset({"side", "oblique"})
FRONT_VIEW: frozenset[View] = frozenset({"front"})
DEPTH_NOTE = "Turn sideways for depth feedback"

SPEC = ExerciseSpec(
    key="squat",
    name="Squat",
    primary=KNEE,
    # Standing knees read 155-180 deg on real footage; squats bottom out at 55-100 deg.
    extended=150,
    flexed=110,
    orientation="upright",
    setup_message="Stand up with your whole body in view",
    primary_views=SIDE_VIEWS,
    # Head-on the knee angle barely changes; hip height over leg length still does.
    fallback=HeightSignal(
        upper="hip", lower="ankle", limbs=(("hip", "knee"), ("knee", "ankle")), extended=0.93, flexed=0.78
    ),
    rules=(
        FormRule(
            "depth", "Go lower: hips to knee height", KNEE, "min", max_value=95, views=SIDE_VIEWS, quiet_note=DEPTH_NOTE
        ),
        FormRule(
            "chest_up",
            "Keep your chest up",
            TiltDef("shoulder", "hip"),
            "max",
            max_value=55,
            views=SIDE_VIEWS,
            quiet_note=DEPTH_NOTE,
        ),
        FormRule(
            "knees_in",
            "Push your knees out",
            WidthRatioDef("knee", "ankle"),
            "min",
            min_value=0.8,
            views=FRONT_VIEW,
            quiet_note="Face the camera for knee tracking feedback",
        ),
    ),
    min_rep_s=0.6,
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "standing",
        Phase.FLEXING: "going down",
        Phase.FLEXED: "bottom",
        Phase.EXTENDING: "standing up",
    },
)
