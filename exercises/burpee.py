"""Burpee: stand -> hands down and jump back to a plank -> jump the feet in -> stand (and jump).

A sequence of positions, counted each time it completes: standing tall, then a plank, then
standing tall again (which also starts the next one).
"""

from exercises.common import ARM, ARMS_OVERHEAD_DEG, ARMS_OVERHEAD_SOURCE
from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, Phase, Position, Requirement, TiltDef

BODY_TILT = TiltDef("shoulder", "ankle")
KNEE = AngleDef("hip", "knee", "ankle")

STAND = Position(
    "standing",
    (
        # Upright: shoulders over ankles within 25 deg (a squat or crouch leans further).
        Requirement("Stand up tall", BODY_TILT, max_value=25),
        # Legs straight: knee at 150 deg or more.
        Requirement("Stand up tall", KNEE, min_value=150),
    ),
)
PLANK = Position(
    "plank",
    (
        # Body horizontal: shoulder-ankle line 55 deg or more from vertical.
        Requirement("Jump back into a plank", BODY_TILT, min_value=55),
        # Legs long, not a crouch with the hands down.
        Requirement("Jump back into a plank", KNEE, min_value=140),
    ),
)

SPEC = ExerciseSpec(
    key="burpee",
    name="Burpee",
    kind="sequence",
    primary=BODY_TILT,
    extended=None,
    flexed=None,
    orientation=None,
    setup_message="Stand side-on with your whole body in view",
    positions=(STAND, PLANK, STAND),
    rules=(
        FormRule(
            "jump",
            "Finish with a jump, arms overhead",
            ARM,
            "max",
            # The classic burpee ends with a jump and a clap overhead.
            min_value=ARMS_OVERHEAD_DEG,
            source=ARMS_OVERHEAD_SOURCE,
        ),
    ),
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "standing",
        Phase.FLEXING: "down and back up",
        Phase.FLEXED: "plank",
        Phase.EXTENDING: "standing up",
    },
)
