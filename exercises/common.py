"""Coaching declarations several exercises share (no ``SPEC`` here: the registry skips it)."""

from fitness.engine.spec import BendDef, DistanceDef, FormRule, Requirement, View

BODY_LINE = BendDef("shoulder", "hip", "ankle")
SIDE_VIEWS: frozenset[View] = frozenset({"side", "oblique"})

# Movements in the body's frontal plane (arms or feet opening sideways) show only to a camera in
# front. Facing it, the shoulders are 0.6-0.8 torso lengths apart; side-on they overlap.
FACING_CAMERA = Requirement(
    "Face the camera", DistanceDef("left_shoulder", "right_shoulder", ("shoulder", "hip")), min_value=0.4
)


def body_line_rules(quiet_note: str) -> tuple[FormRule, FormRule]:
    """Hips sagging below or piking above the shoulder-ankle line, judged side-on.

    The plank position of a push-up, a plank and a mountain climber is one straight line from
    shoulders to heels (ACE, NSCA). Hips more than 15 deg below it sag (the lower back
    overextends); more than 20 deg above it pike (the load leaves the core). The labelled
    planks and good push-ups hold -16 to +10.
    """
    return (
        FormRule(
            "hips_sag",
            "Tighten your core: hips are sagging",
            BODY_LINE,
            "max",
            max_value=15,
            views=SIDE_VIEWS,
            quiet_note=quiet_note,
        ),
        FormRule(
            "hips_pike",
            "Lower your hips into a straight line",
            BODY_LINE,
            "min",
            min_value=-20,
            views=SIDE_VIEWS,
            quiet_note=quiet_note,
        ),
    )
