"""Sit-up: from lying on the back with knees bent, the whole torso rises to upright and back."""

from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, Phase, Requirement

HIP = AngleDef("shoulder", "hip", "knee")

SPEC = ExerciseSpec(
    key="sit_up",
    name="Sit-up",
    primary=HIP,
    # Lying with the knees bent the hip reads 150-165 deg on the labelled clip; sitting up the
    # torso comes to vertical (ACE) and the hip closes to 40-60. Start: 130 or more; turning
    # point: 75 or less (the torso well past 45 deg up: a crunch stays far below).
    extended=130,
    flexed=75,
    orientation="horizontal",
    setup_message="Lie on your back, knees bent, side-on to the camera",
    requirements=(
        # ACE: knees bent about 90 deg, feet flat; the labelled clip reads 70-120.
        Requirement("Bend your knees, feet flat on the floor", AngleDef("hip", "knee", "ankle"), max_value=130),
    ),
    rules=(
        FormRule(
            "full_range",
            "Sit all the way up",
            HIP,
            "min",
            max_value=70,
            source=(
                "ACE sit-up: sit up until the torso is upright over the bent legs, which closes the hip "
                "to 70 deg or less."
            ),
        ),
        FormRule(
            "lie_back",
            "Lower your shoulders all the way to the floor",
            HIP,
            "max",
            min_value=140,
            window="start",
            source=(
                "ACE sit-up: each rep starts lying back, shoulders on the floor: the hip opens past 140 "
                "deg with bent knees."
            ),
        ),
    ),
    # The feet stay planted.
    still=("ankle",),
    min_rep_s=0.8,
    phase_labels={
        Phase.SETUP: "lie down, knees bent",
        Phase.EXTENDED: "lying back",
        Phase.FLEXING: "sitting up",
        Phase.FLEXED: "up",
        Phase.EXTENDING: "lowering",
    },
)
