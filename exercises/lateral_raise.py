"""Lateral (side) raise with dumbbells: straight arms raised sideways to shoulder height."""

from exercises.common import FACING_CAMERA
from fitness.engine.spec import AngleDef, ElevationDef, ExerciseSpec, FormRule, Phase, Requirement

ARM = ElevationDef("shoulder", "elbow")

SPEC = ExerciseSpec(
    key="lateral_raise",
    name="Lateral raise",
    primary=ARM,
    # Upper arm elevation: arms down with dumbbells held just off the thighs read 5-55 deg on the
    # labelled clip; raised to shoulder height (ACE, ExRx: "until upper arms are horizontal")
    # 75-100. Start: 45 or less; turning point: 70 or more.
    extended=45,
    flexed=70,
    # Arms carried on up overhead are a press or a jumping jack, not a lateral raise.
    overshoot=130,
    orientation="upright",
    setup_message="Stand facing the camera with your arms in view",
    requirements=(
        # The arms rise sideways, which a camera in front sees (side-on, an arm raised in view
        # is a front raise).
        FACING_CAMERA,
        # The arms stay long, elbows only slightly bent (ExRx); an upright row or a shrug with
        # bent elbows lifts the upper arm too.
        Requirement(
            "Keep your arms nearly straight", AngleDef("shoulder", "elbow", "wrist"), min_value=110, when="flexed"
        ),
    ),
    rules=(
        FormRule(
            "too_high",
            "Stop at shoulder height",
            ARM,
            "max",
            max_value=110,
            source=(
                "ACE and ExRx lateral raise: raise the arms until they are level with the shoulders "
                "(90 deg); past about 110 the upper trapezius takes over and the shoulder impinges."
            ),
        ),
        FormRule(
            "range",
            "Raise your arms to shoulder height",
            ARM,
            "max",
            min_value=75,
            source=(
                "ACE and ExRx lateral raise: the upper arms reach level (90 deg); 75 leaves room for the camera angle."
            ),
        ),
    ),
    still=("hip",),
    min_rep_s=0.6,
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "arms down",
        Phase.FLEXING: "raising",
        Phase.FLEXED: "shoulder height",
        Phase.EXTENDING: "lowering",
    },
)
