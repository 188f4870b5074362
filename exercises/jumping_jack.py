"""Jumping jack: arms up overhead while the feet jump apart, then both back together.

Counted from two signals averaged (either alone when the other is out of frame, as in a close-up
of the upper body): how high the upper arms are raised, and how far apart the ankles are. A rep
starts with arms down and feet together (ACE's description: "arms at the sides, feet together";
"jump the feet out wider than the shoulders while raising the arms overhead").
"""

from exercises.common import ARM, ARMS_OVERHEAD_DEG, ARMS_OVERHEAD_SOURCE, FACING_CAMERA
from fitness.engine.spec import Channel, ExerciseSpec, FormRule, Phase, WidthRatioDef

FEET = WidthRatioDef("ankle", "shoulder")

SPEC = ExerciseSpec(
    key="jumping_jack",
    name="Jumping jack",
    primary=ARM,
    # Upper arm elevation: hanging arms read 0-30 deg; at the top the hands meet over the head
    # with the elbows a little bent, which MoveNet puts at 105-145 deg of upper-arm elevation.
    # Start: at most 40 deg (arms by the sides); turning point: past 100 deg (above shoulder
    # height, on the way overhead).
    extended=40,
    flexed=100,
    orientation="upright",
    setup_message="Stand facing the camera with arms and feet in view",
    # Feet: together the ankles are about hip width apart, 0.4-0.8 of shoulder width; jumped
    # out they are wider than the shoulders (2-3x on the labelled clips). Start below 1.0,
    # turning point past 1.6 shoulder widths.
    channels=(Channel(FEET, extended=1.0, flexed=1.6),),
    requirements=(
        # Arms and feet open sideways: only a camera in front sees them (side-on, arms raised
        # forward in a squat would read as a jack).
        FACING_CAMERA,
    ),
    rules=(
        FormRule(
            "arms_overhead",
            "Bring your arms all the way overhead",
            ARM,
            "max",
            min_value=ARMS_OVERHEAD_DEG,
            source=ARMS_OVERHEAD_SOURCE,
        ),
        FormRule(
            "feet_apart",
            "Jump your feet wider than your shoulders",
            FEET,
            "max",
            min_value=1.3,
            views=frozenset({"front"}),
            quiet_note="Face the camera for foot-width feedback",
            source="ACE: the feet land wider than shoulder width; 1.3 widths leaves room for keypoint jitter.",
        ),
    ),
    min_rep_s=0.4,
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "feet together",
        Phase.FLEXING: "jumping out",
        Phase.FLEXED: "arms up",
        Phase.EXTENDING: "jumping in",
    },
)
