"""Coaching declarations several exercises share (no ``SPEC`` here: the registry skips it)."""

from fitness.engine.spec import BendDef, DistanceDef, ElevationDef, FormRule, Requirement, View

BODY_LINE = BendDef("shoulder", "hip", "ankle")
SIDE_VIEWS: frozenset[View] = frozenset({"side", "oblique"})
ARM = ElevationDef("shoulder", "elbow")

# Arms overhead, in upper-arm elevation (0 hanging, 90 level, 180 straight up): hands that meet
# above the head with the elbows a little bent put the upper arm at 120 deg or more, and arms
# stopped at shoulder height read 90-100. The one bound for every "arms overhead" rule (jumping
# jack, burpee), between the two.
ARMS_OVERHEAD_DEG = 115.0
ARMS_OVERHEAD_SOURCE = (
    "ACE exercise library: the arms sweep overhead (jumping jack; the burpee's closing jump). "
    "Hands meeting over the head put the upper arm at 120 deg or more of elevation, arms stopped at "
    "shoulder height at 90-100; 115 lies between, with room for the 2-D projection."
)

# Movements in the body's frontal plane (arms or feet opening sideways) show only to a camera in
# front. Facing it, the shoulders are 0.6-0.8 torso lengths apart; side-on they overlap.
FACING_CAMERA = Requirement(
    "Face the camera", DistanceDef("left_shoulder", "right_shoulder", ("shoulder", "hip")), min_value=0.4
)


def body_line_rules(quiet_note: str) -> tuple[FormRule, FormRule]:
    """Hips sagging below or piking above the shoulder-ankle line, judged side-on.

    The plank position of a push-up, a plank and a mountain climber is one straight line from
    shoulders to heels (ACE, NSCA). Hips more than 15 deg below it sag (the lower back
    overextends); more than 20 deg above it pike (the load leaves the core).
    """
    source = (
        "ACE and NSCA push-up and plank technique: a straight line from shoulders to heels, core "
        "braced. 15 deg of hip drop below that line (20 above it, where the keypoints of a hip seen "
        "side-on sit high on the buttocks) is beyond the 5-10 deg that 2-D keypoints wander on a "
        "straight body."
    )
    return (
        FormRule(
            "hips_sag",
            "Tighten your core: hips are sagging",
            BODY_LINE,
            "max",
            max_value=15,
            views=SIDE_VIEWS,
            quiet_note=quiet_note,
            source=source,
        ),
        FormRule(
            "hips_pike",
            "Lower your hips into a straight line",
            BODY_LINE,
            "min",
            min_value=-20,
            views=SIDE_VIEWS,
            quiet_note=quiet_note,
            source=source,
        ),
    )
