"""Crunch: lying on the back, the head and shoulders curl up towards the knees and back down.

A crunch is a short trunk curl: the lower back stays on the floor and the head closes on the
knees by only 10-35% of their distance. That distance, relative to its longest recent value,
shrinks the same way side-on, from the feet and from the head end, so it is what is counted.
"""

from fitness.engine.spec import AngleDef, DistanceDef, ExerciseSpec, FormRule, Phase, Requirement

SPEC = ExerciseSpec(
    key="crunch",
    name="Crunch",
    primary=DistanceDef("nose", "knee"),
    relative=True,
    # Lying flat the nose-to-knee distance is at its longest (1.0). Curling the shoulder blades
    # off the floor (ACE: about 30 deg of trunk flexion) brings the head 12-35% closer on the
    # labelled clip from all three camera angles. Start: 0.94 or more; turning point: 0.88 or
    # less. Past 0.55 the torso is sitting up: that is a sit-up, not a crunch.
    extended=0.94,
    flexed=0.88,
    overshoot=0.55,
    orientation="horizontal",
    setup_message="Lie on your back, knees bent, with your whole body in view",
    requirements=(
        # ACE: knees bent, feet flat; the labelled clip reads 40-65 deg.
        Requirement("Bend your knees, feet flat on the floor", AngleDef("hip", "knee", "ankle"), max_value=120),
    ),
    rules=(
        FormRule(
            "lower_back_down",
            "Keep your lower back on the floor",
            AngleDef("shoulder", "hip", "knee"),
            "range",
            max_value=30,
            views=frozenset({"side"}),
            quiet_note="Turn sideways for lower-back feedback",
            source=(
                "ACE crunch: the lower back stays on the floor and only the shoulder blades lift, "
                "about 30 deg of trunk flexion from the spine, not the hips. A hip angle that moves "
                "more than 30 deg means the hip flexors are pulling the torso up: a sit-up."
            ),
        ),
    ),
    still=("ankle", "hip"),
    min_rep_s=0.6,
    phase_labels={
        Phase.SETUP: "lie down, knees bent",
        Phase.EXTENDED: "lying back",
        Phase.FLEXING: "curling up",
        Phase.FLEXED: "up",
        Phase.EXTENDING: "lowering",
    },
)
