"""Plank (forearm or straight-arm): a hold, timed while the body stays in one straight line."""

from exercises.common import BODY_LINE, body_line_rules
from fitness.engine.spec import AngleDef, ExerciseSpec, Phase, Requirement, RiseDef

SPEC = ExerciseSpec(
    key="plank",
    name="Plank",
    kind="hold",
    primary=AngleDef("shoulder", "elbow", "wrist"),
    extended=None,
    flexed=None,
    orientation="horizontal",
    setup_message="Get into a plank, side-on, whole body in view",
    requirements=(
        # Legs long (ACE: body straight from head to heels); kneeling reads 60-120 deg.
        Requirement("Straighten your legs", AngleDef("hip", "knee", "ankle"), min_value=150),
        # Propped on the forearms or hands: the shoulders at least a quarter torso above the
        # elbows (forearm plank: about half; lying on the floor: none).
        Requirement(
            "Prop yourself up on forearms or hands", RiseDef("shoulder", "elbow", ("shoulder", "hip")), min_value=0.25
        ),
        # Far out of line is another pose altogether (a pike, a downward dog, a collapse).
        Requirement("Get into one line from shoulders to heels", BODY_LINE, min_value=-45, max_value=40),
    ),
    rules=body_line_rules("Turn sideways for body-line feedback"),
    still=("ankle", "elbow"),
    grace_s=1.0,
    phase_labels={
        Phase.SETUP: "get into a plank",
        Phase.EXTENDED: "holding",
        Phase.FLEXING: "holding",
        Phase.FLEXED: "holding",
        Phase.EXTENDING: "holding",
    },
)
