"""Biceps curl (dumbbell or barbell), each arm counted on its own and merged when together."""

from fitness.engine.spec import AngleDef, ElevationDef, ExerciseSpec, FormRule, Phase, Requirement, TiltDef, View

ELBOW = AngleDef("shoulder", "elbow", "wrist")
SIDE_VIEWS: frozenset[View] = frozenset({"side", "oblique"})
SIDE_NOTE = "Turn sideways for elbow and swing feedback"

SPEC = ExerciseSpec(
    key="curl",
    name="Biceps curl",
    primary=ELBOW,
    # Hanging arms read 145-180 deg on real footage; the top of a curl 10-80 deg.
    extended=140,
    flexed=90,
    orientation="upright",
    setup_message="Stand tall with your arms in view",
    sides="both",
    # An arm raised forward or overhead is not curling (stretches, waving, holding a bar up, a
    # press): the upper arm stays within 50 deg of hanging straight down.
    requirements=(
        Requirement("Keep your upper arm by your side", ElevationDef("shoulder", "elbow"), max_value=50),
        # Arms move in squats and lunges too; a curl is done standing tall (when knees are seen).
        Requirement("Stand up straight for curls", AngleDef("hip", "knee", "ankle"), min_value=140),
    ),
    rules=(
        FormRule(
            "extension",
            "Straighten your arm fully at the bottom",
            ELBOW,
            "max",
            min_value=150,
            window="start",
            source=(
                "NSCA and ACE biceps curl: start each rep from fully extended elbows; 150 leaves "
                "30 deg for a slight bend many lifters keep and for the 2-D projection."
            ),
        ),
        FormRule(
            "flexion",
            "Curl all the way up",
            ELBOW,
            "min",
            max_value=60,
            source=(
                "NSCA and ACE biceps curl: curl until the forearm nears vertical, the weight at the "
                "shoulder (an elbow of 30-45 deg); an elbow that never closes past 60 stopped a "
                "third of the way short of that."
            ),
        ),
        FormRule(
            "elbow_drift",
            "Keep your elbows pinned to your sides",
            AngleDef("hip", "shoulder", "elbow"),
            "max",
            max_value=25,
            views=SIDE_VIEWS,
            quiet_note=SIDE_NOTE,
            source=(
                "NSCA and ACE biceps curl: the upper arms stay still against the sides; an upper arm "
                "swinging more than 25 deg forward of the torso brings the front shoulder into the lift."
            ),
        ),
        FormRule(
            "swing",
            "Don't swing: keep your torso still",
            TiltDef("shoulder", "hip"),
            "range",
            max_value=12,
            views=SIDE_VIEWS,
            quiet_note=SIDE_NOTE,
            source=(
                "NSCA and ACE biceps curl: the torso stays erect, no swinging or leaning back; 12 deg "
                "of torso rocking within one rep is more than breathing and keypoint jitter (3-7)."
            ),
        ),
    ),
    # Only the forearms move: hips and feet stay put (a squat with the hands in front does not).
    still=("hip",),
    min_rep_s=0.5,
    flexion_is_eccentric=False,
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "arm down",
        Phase.FLEXING: "curling",
        Phase.FLEXED: "top",
        Phase.EXTENDING: "lowering",
    },
)
