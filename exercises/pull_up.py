"""Pull-up / chin-up from a hang: arms straight overhead -> chin to the bar -> back down."""

from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, Phase, Requirement, RiseDef

ELBOW = AngleDef("shoulder", "elbow", "wrist")
TORSO = ("shoulder", "hip")

SPEC = ExerciseSpec(
    key="pull_up",
    name="Pull-up",
    primary=ELBOW,
    # NSCA: from a dead hang (elbows straight) to the chin over the bar (elbows fully bent).
    # Head-on, MoveNet reads a hang at 115-155 deg and the top at 0-40. Start: 115 or more;
    # turning point: 70 or less.
    extended=115,
    flexed=70,
    orientation="upright",
    setup_message="Hang from the bar with your arms and shoulders in view",
    requirements=(
        # Hanging from a bar keeps the hands at or above the shoulders all the way.
        Requirement("Hold the bar above your head", RiseDef("wrist", "shoulder", TORSO), min_value=-0.15),
    ),
    rules=(
        FormRule(
            "full_hang",
            "Straighten your arms at the bottom",
            ELBOW,
            "max",
            min_value=150,
            window="start",
            source=(
                "NSCA pull-up: each rep starts from a dead hang, elbows fully extended; under 150 deg it started bent."
            ),
        ),
        FormRule(
            "chin_over_bar",
            "Pull until your chin clears the bar",
            RiseDef("nose", "wrist", TORSO),
            "max",
            min_value=0.0,
            source="NSCA pull-up: pull until the chin clears the bar, so the nose rises at least to the hands.",
        ),
    ),
    # The hands hold the bar: they stay put while the body moves (a press moves the hands).
    still=("wrist",),
    min_rep_s=0.8,
    phase_labels={
        Phase.SETUP: "get on the bar",
        Phase.EXTENDED: "hang",
        Phase.FLEXING: "pulling",
        Phase.FLEXED: "top",
        Phase.EXTENDING: "lowering",
    },
)
