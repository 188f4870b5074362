"""Wall sit: back against a wall, thighs level, held for time."""

from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, Phase, Requirement, RiseDef, TiltDef, WidthRatioDef

KNEE = AngleDef("hip", "knee", "ankle")

SPEC = ExerciseSpec(
    key="wall_sit",
    name="Wall sit",
    kind="hold",
    primary=KNEE,
    extended=None,
    flexed=None,
    orientation="upright",
    setup_message="Sit against a wall with your whole body in view",
    requirements=(
        # ACE: slide down until the thighs are parallel to the floor. Side-on the hip is then level
        # with the knee; head-on the thigh points at the camera, which from chest height sees the
        # knee below the hip by about half a shin (0.35-0.5 on the labelled clip). Standing reads
        # about 1.1. In position: hip at most 0.6 shin lengths above the knee, and not far below.
        Requirement(
            "Slide down until your thighs are level",
            RiseDef("hip", "knee", ("knee", "ankle")),
            min_value=-0.3,
            max_value=0.6,
        ),
        # Knees bent near 90 deg (head-on foreshortened to 110-130); standing reads 170+.
        Requirement("Bend your knees to 90 degrees", KNEE, max_value=140),
    ),
    rules=(
        FormRule(
            "back_flat",
            "Keep your back flat against the wall",
            TiltDef("shoulder", "hip"),
            "max",
            max_value=25,
            views=frozenset({"side", "oblique"}),
            quiet_note="Turn sideways for back feedback",
            source=(
                "ACE wall sit: the back stays flat against the wall, so the torso is upright; 25 deg of "
                "lean has left the wall."
            ),
        ),
        FormRule(
            "knees_in",
            "Push your knees out over your feet",
            WidthRatioDef("knee", "ankle"),
            "min",
            min_value=0.8,
            views=frozenset({"front"}),
            quiet_note="Face the camera for knee feedback",
            source="As for a squat: knees closer together than 0.8 of the ankles' width cave in (Noyes et al. 2005).",
        ),
    ),
    still=("ankle", "hip"),
    grace_s=1.0,
    phase_labels={
        Phase.SETUP: "sit down against the wall",
        Phase.EXTENDED: "holding",
        Phase.FLEXING: "holding",
        Phase.FLEXED: "holding",
        Phase.EXTENDING: "holding",
    },
)
