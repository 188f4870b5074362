"""Triceps dip on parallel bars (or a bench): the body lowers between straight supporting arms."""

from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, Phase, Requirement, RiseDef

ELBOW = AngleDef("shoulder", "elbow", "wrist")

SPEC = ExerciseSpec(
    key="tricep_dip",
    name="Triceps dip",
    primary=ELBOW,
    # Supported at the top the arms are locked (160-180 deg); NSCA/ExRx: lower until the upper
    # arms are about parallel to the floor, an elbow of about 90. Start: 150 or more; turning
    # point: 105 or less.
    extended=150,
    flexed=105,
    orientation="upright",
    setup_message="Support yourself on the bars with your arms in view",
    requirements=(
        # The hands carry the body: the shoulders stay above the wrists, by about an arm's length
        # at the top and still a little at the bottom of a deep dip (0.0-0.3 torso lengths on
        # the labelled clip). A press holds the hands above the shoulders.
        Requirement("Support yourself on your hands", RiseDef("shoulder", "wrist", ("shoulder", "hip")), min_value=0.0),
    ),
    rules=(
        FormRule(
            "depth",
            "Lower until your upper arms are level",
            ELBOW,
            "min",
            max_value=100,
            source=(
                "NSCA and ExRx dip: lower until the upper arms are about level, an elbow of 90 deg; 100 "
                "for the projection."
            ),
        ),
        FormRule(
            "lockout",
            "Lock out your arms at the top",
            ELBOW,
            "max",
            min_value=160,
            window="start",
            source="NSCA dip: each rep starts supported on locked-out arms; 160 allows for the 2-D projection.",
        ),
    ),
    # The hands hold the bars: they stay put while the body moves.
    still=("wrist",),
    min_rep_s=0.6,
    phase_labels={
        Phase.SETUP: "get on the bars",
        Phase.EXTENDED: "top",
        Phase.FLEXING: "lowering",
        Phase.FLEXED: "bottom",
        Phase.EXTENDING: "pushing up",
    },
)
