"""Lunge (forward, reverse or walking), counted per leg: the leg whose hip bends is the front leg.

Each leg is followed on its own: in a lunge the front hip closes to about 90 deg while the rear
hip stays open (the thigh points down and back), so the front leg's hip angle makes one cycle
per rep of that leg, and the two legs' counts add up to the total.
"""

from fitness.engine.spec import AngleDef, DistanceDef, ExerciseSpec, FormRule, Phase, Requirement, SideGapDef, TiltDef

HIP = AngleDef("shoulder", "hip", "knee")
KNEE = AngleDef("hip", "knee", "ankle")

SPEC = ExerciseSpec(
    key="lunge",
    name="Lunge",
    primary=HIP,
    # Standing tall the hip reads 160-180 deg; at the bottom of a lunge the front thigh is about
    # level (NSCA/ACE: front knee at 90 deg) and the front hip reads 85-110 on the labelled clips.
    # Start: 150 or more; turning point: 120 or less (a thigh well forward of the body).
    extended=150,
    flexed=120,
    orientation="upright",
    setup_message="Stand side-on with your whole body in view",
    sides="alternating",
    requirements=(
        # What makes it a lunge rather than a squat or a knee raise shows at the bottom: the feet
        # are a long step apart (the labelled lunges: 1.0-1.8 torso lengths; a squat or a march
        # keeps them under the hips) ...
        Requirement(
            "Step into a long split stance",
            DistanceDef("left_ankle", "right_ankle", ("shoulder", "hip")),
            min_value=0.8,
            when="flexed",
        ),
        # ... and only the front hip closes: the rear hip stays open (the legs differ by
        # 55-85 deg at the bottom of the labelled lunges; both hips close alike in a squat).
        Requirement("Keep the back leg long", SideGapDef(HIP), min_value=35, when="flexed"),
    ),
    rules=(
        FormRule(
            "torso_upright",
            "Keep your torso upright",
            TiltDef("shoulder", "hip"),
            "max",
            max_value=30,
            views=frozenset({"side", "oblique"}),
            quiet_note="Turn sideways for torso feedback",
            source=(
                "NSCA forward lunge: the torso stays perpendicular to the floor; a lean past 30 deg "
                "shifts the load off the front leg onto the lower back."
            ),
        ),
        FormRule(
            "depth",
            "Sink lower: front thigh to level",
            KNEE,
            "min",
            max_value=110,
            views=frozenset({"side", "oblique"}),
            quiet_note="Turn sideways for depth feedback",
            source=(
                "ACE and NSCA lunge: the front knee bends to about 90 deg at the bottom; 110 leaves room "
                "for the camera angle."
            ),
        ),
    ),
    min_rep_s=0.6,
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "standing",
        Phase.FLEXING: "stepping down",
        Phase.FLEXED: "bottom",
        Phase.EXTENDING: "driving up",
    },
)
