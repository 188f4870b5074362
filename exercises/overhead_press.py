"""Overhead (shoulder) press, barbell or dumbbells: from the shoulders to lockout and back.

A rep starts *flexed* (the weight racked at the shoulders), presses to straight arms overhead
and returns. Counted by the wrists' height above the shoulders in torso lengths, which neither
a front nor a side view flattens.
"""

from fitness.engine.spec import AngleDef, DistanceDef, ExerciseSpec, FormRule, Phase, Requirement, RiseDef, TiltDef

TORSO = ("shoulder", "hip")
WRIST_HEIGHT = RiseDef("wrist", "shoulder", TORSO)
ELBOW = AngleDef("shoulder", "elbow", "wrist")

SPEC = ExerciseSpec(
    key="overhead_press",
    name="Overhead press",
    primary=WRIST_HEIGHT,
    # Arm length is about 0.9 torso lengths: locked out, the wrists sit 0.8-1.2 torso lengths
    # above the shoulders on the labelled clips; racked, from 0.2 below to 0.2 above. Lockout:
    # 0.7 or more; rack: 0.25 or less.
    extended=0.7,
    flexed=0.25,
    start="flexed",
    orientation="upright",
    setup_message="Stand tall with your arms in view",
    requirements=(
        # The rack is the weight at the shoulders: elbows bent and wrists close to the shoulders
        # (NSCA: bar at the front of the shoulders). Arms passing shoulder height on the way up
        # in a jumping jack are straight and far from them.
        Requirement("Start with the weight at your shoulders", ELBOW, max_value=115, when="flexed"),
        Requirement(
            "Start with the weight at your shoulders",
            DistanceDef("wrist", "shoulder", TORSO),
            max_value=0.6,
            when="flexed",
        ),
    ),
    rules=(
        FormRule(
            "lockout",
            "Lock out your arms overhead",
            ELBOW,
            "max",
            min_value=160,
            source="NSCA overhead press: press until the elbows are fully extended; 160 allows for the 2-D projection.",
        ),
        FormRule(
            "back_arch",
            "Don't lean back: brace your core",
            TiltDef("shoulder", "hip"),
            "max",
            max_value=15,
            views=frozenset({"side", "oblique"}),
            quiet_note="Turn sideways for back feedback",
            source=(
                "NSCA overhead press: the torso stays erect, no backward lean; past 15 deg the lower "
                "back arches to make room for the bar."
            ),
        ),
    ),
    # Feet and hips stay put while the weight moves (a pull-up moves the body instead).
    still=("ankle", "hip"),
    min_rep_s=0.6,
    never_started="The weight never came down to the shoulders: a press starts at the shoulders",
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "at the shoulders",
        Phase.FLEXING: "pressing",
        Phase.FLEXED: "lockout",
        Phase.EXTENDING: "lowering",
    },
)
