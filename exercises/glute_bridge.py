"""Glute bridge: lying on the back, knees bent, lift the hips into a line with the shoulders.

Counted *flexed -> extended -> flexed*: the hips start on the floor (hip flexed), rise until
shoulders, hips and knees line up (hip extended) and lower again.
"""

from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, Phase, Requirement, RiseDef

HIP = AngleDef("shoulder", "hip", "knee")

SPEC = ExerciseSpec(
    key="glute_bridge",
    name="Glute bridge",
    primary=HIP,
    # ACE: raise the hips until the body is in a straight line from shoulders to knees (a hip
    # angle near 180; the labelled tops read 165-180). On the floor the hip reads 95-135.
    # Top: 160 or more; bottom: 140 or less.
    extended=160,
    flexed=140,
    start="flexed",
    orientation="horizontal",
    setup_message="Lie on your back, knees bent, side-on to the camera",
    requirements=(
        # Feet planted, knees bent (ACE: about 90 deg; the labelled clips 35-100).
        Requirement("Bend your knees, feet flat on the floor", AngleDef("hip", "knee", "ankle"), max_value=120),
        # The shoulders stay on the floor: they never rise above the hips (a sit-up lifts them).
        Requirement(
            "Keep your shoulders on the floor", RiseDef("hip", "shoulder", ("shoulder", "hip")), min_value=-0.3
        ),
    ),
    rules=(
        FormRule(
            "full_extension",
            "Lift your hips into line with your knees",
            HIP,
            "max",
            min_value=165,
            source=(
                "ACE glute bridge: raise the hips until shoulders, hips and knees form a straight line "
                "(180 deg); 165 allows for the 2-D projection and the hip keypoint riding on the buttocks."
            ),
        ),
    ),
    still=("shoulder", "ankle"),
    min_rep_s=0.6,
    never_started="The hips never rested on the floor: a bridge starts lying flat",
    phase_labels={
        Phase.SETUP: "lie down, knees bent",
        Phase.EXTENDED: "hips down",
        Phase.FLEXING: "lifting",
        Phase.FLEXED: "bridge",
        Phase.EXTENDING: "lowering",
    },
)
