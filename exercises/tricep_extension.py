"""Overhead triceps extension (one dumbbell in both hands, or one per arm).

Counted *flexed -> extended -> flexed*: the lift is set up by bringing the weight over the head
and lowering it behind the head, and each rep is the extension out of that stretched position
and back. Only the forearms move: the upper arms point straight up throughout.
"""

from fitness.engine.spec import AngleDef, ElevationDef, ExerciseSpec, FormRule, Phase, Requirement

ELBOW = AngleDef("shoulder", "elbow", "wrist")

SPEC = ExerciseSpec(
    key="tricep_extension",
    name="Triceps extension",
    primary=ELBOW,
    # Behind the head the elbow reads 40-60 deg on the labelled clip, locked out 160-175.
    # Extended: 150 or more; flexed: 90 or less (the forearm past horizontal behind the head).
    extended=150,
    flexed=90,
    start="flexed",
    orientation="upright",
    setup_message="Stand or sit tall with your arms in view",
    requirements=(
        # ExRx: upper arms stay vertical beside the head; the labelled clip reads 165-180 deg of
        # elevation. Below 130 the shoulder is moving: a press or a pull-down, not this.
        Requirement("Raise your elbows overhead", ElevationDef("shoulder", "elbow"), min_value=130),
    ),
    rules=(
        FormRule(
            "lockout",
            "Straighten your arms fully at the top",
            ELBOW,
            "max",
            min_value=160,
            source="ExRx overhead triceps extension: extend the elbows fully at the top; 160 for the 2-D projection.",
        ),
        FormRule(
            "depth",
            "Lower the weight further behind your head",
            ELBOW,
            "min",
            max_value=70,
            # The stretched position is where each rep starts (this exercise starts flexed).
            window="start",
            source=(
                "ExRx overhead triceps extension: lower the weight behind the head until the forearms "
                "are well past horizontal, an elbow of 70 deg or less. That position is where each rep "
                "starts, so it is judged there."
            ),
        ),
    ),
    still=("hip",),
    min_rep_s=0.6,
    never_started="Arms never overhead: a triceps extension starts with the weight behind the head",
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "weight behind head",
        Phase.FLEXING: "extending",
        Phase.FLEXED: "lockout",
        Phase.EXTENDING: "lowering",
    },
)
