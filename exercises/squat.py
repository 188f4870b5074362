"""Bodyweight or barbell squat, counted at the knee (side/oblique) or by hip height (front)."""

from fitness.engine.spec import AngleDef, ExerciseSpec, FormRule, HeightSignal, Phase, TiltDef, View, WidthRatioDef

KNEE = AngleDef("hip", "knee", "ankle")
SIDE_VIEWS: frozenset[View] = frozenset({"side", "oblique"})
FRONT_VIEW: frozenset[View] = frozenset({"front"})
DEPTH_NOTE = "Turn sideways for depth feedback"

SPEC = ExerciseSpec(
    key="squat",
    name="Squat",
    primary=KNEE,
    # Standing knees read 155-180 deg on real footage; squats bottom out at 55-100 deg.
    extended=150,
    flexed=110,
    orientation="upright",
    setup_message="Stand up with your whole body in view",
    primary_views=SIDE_VIEWS,
    # Head-on the knee angle barely changes; hip height over leg length still does.
    fallback=HeightSignal(
        upper="hip", lower="ankle", limbs=(("hip", "knee"), ("knee", "ankle")), extended=0.93, flexed=0.78
    ),
    rules=(
        FormRule(
            "depth",
            "Go lower: hips to knee height",
            KNEE,
            "min",
            max_value=95,
            views=SIDE_VIEWS,
            quiet_note=DEPTH_NOTE,
            source=(
                "NSCA squat technique: descend until the thighs are parallel to the floor. Escamilla "
                "(2001, Med Sci Sports Exerc 33:127) classes squats by knee flexion: a half squat "
                "bends the knee about 70-90 deg, a parallel squat about 100 or more (an included "
                "angle of 80 or less). A knee that never closes past 95 (85 deg of flexion) is a half "
                "squat at best; 95 rather than 80 leaves 15 deg for a 2-D angle read open by keypoint "
                "error and camera angle, so a squat to parallel is never told to go lower."
            ),
        ),
        FormRule(
            "chest_up",
            "Keep your chest up",
            TiltDef("shoulder", "hip"),
            "max",
            max_value=50,
            views=SIDE_VIEWS,
            quiet_note=DEPTH_NOTE,
            source=(
                "NSCA squat technique: a flat back and the torso inclined no more than the shins "
                "(torso roughly parallel to the shins; Myer et al. 2014, Strength Cond J 36(6):4). "
                "Shins incline at most 40-45 deg, the normal weight-bearing ankle dorsiflexion "
                "(Bennell et al. 1998, Aust J Physiother 44:175), so a torso leaning more than 50 deg "
                "from vertical leans past any shin: the chest is dropping."
            ),
        ),
        FormRule(
            "knees_in",
            "Push your knees out",
            WidthRatioDef("knee", "ankle"),
            "min",
            min_value=0.8,
            window="moving",
            views=FRONT_VIEW,
            quiet_note="Face the camera for knee tracking feedback",
            source=(
                "Knee valgus seen head-on: knees closer together than the ankles (the knee-to-ankle "
                "separation used in video screens, Noyes et al. 2005, Am J Sports Med 33:197). Judged "
                "on the way down and up, where the knee caves under load, not at the bottom, where a "
                "thigh pointing at the camera hides it; 0.8 rather than 1.0 allows for a narrow stance "
                "and keypoint jitter."
            ),
        ),
        FormRule(
            "heels_up",
            "Keep your heels down",
            TiltDef("knee", "ankle"),
            "max",
            max_value=50,
            views=SIDE_VIEWS,
            quiet_note=DEPTH_NOTE,
            source=(
                "COCO keypoints have no heel or toe, but the shin shows it: with the foot flat the "
                "shin can incline only as far as the ankle dorsiflexes, 35-45 deg in a normal "
                "weight-bearing lunge test (Bennell et al. 1998; Powden et al. 2015, Int J Sports "
                "Phys Ther 10:158). A shin leaning more than 50 deg from vertical carries the knee "
                "far past the toes and lifts the heel."
            ),
        ),
    ),
    min_rep_s=0.6,
    phase_labels={
        Phase.SETUP: "get ready",
        Phase.EXTENDED: "standing",
        Phase.FLEXING: "going down",
        Phase.FLEXED: "bottom",
        Phase.EXTENDING: "standing up",
    },
)
