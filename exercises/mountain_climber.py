"""Mountain climber: from a high plank, the knees drive in towards the chest one after the other.

Each leg is counted on its own (every knee drive is a rep, as coaches count them), the total is
their sum.
"""

from exercises.common import body_line_rules
from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, Phase, Requirement

HIP = AngleDef("shoulder", "hip", "knee")

SPEC = ExerciseSpec(
    key="mountain_climber",
    name="Mountain climber",
    primary=HIP,
    # With the leg back in the plank the hip reads 120-145 deg (climbers carry the hips a little
    # high); a knee driven under the chest (ACE) closes it to 45-85. Start: 115 or more; turning
    # point: 85 or less.
    extended=115,
    flexed=85,
    orientation="horizontal",
    setup_message="Get into a high plank, side-on, whole body in view",
    sides="alternating",
    requirements=(
        # A high plank: arms straight under the shoulders (ACE); the labelled clip reads 165-180.
        Requirement(
            "Keep your arms straight, hands under your shoulders", AngleDef("shoulder", "elbow", "wrist"), min_value=140
        ),
    ),
    rules=(
        FormRule(
            "knee_drive",
            "Drive your knee further in",
            HIP,
            "min",
            max_value=80,
            source=(
                "ACE mountain climber: drive the knee in under the chest, which closes the hip to 80 deg "
                "or less from the plank's 120-145."
            ),
        ),
        body_line_rules("Turn sideways for hip feedback")[0],
    ),
    # Hands on the floor.
    still=("wrist",),
    # A drive and return takes 0.4-0.8 s per leg at a brisk pace.
    min_rep_s=0.25,
    phase_labels={
        Phase.SETUP: "get into a plank",
        Phase.EXTENDED: "leg back",
        Phase.FLEXING: "driving",
        Phase.FLEXED: "knee in",
        Phase.EXTENDING: "leg back",
    },
)
