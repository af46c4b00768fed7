"""The clinical summary's 4-step treatment algorithm, applied to one person.

Plain Python, no Rasa import. Read it next to the summary's algorithm:

  1. Diagnosis confirmation: MRI of the affected area, look for the cause.
  2. Initial management: pain control (NSAIDs, short-term opioids only if
     needed); activity modification and protected weight bearing.
  3. Targeted therapy by cause: ischemic/atraumatic BME -> iloprost or
     bisphosphonates; vertebral compression fracture -> augmentation (the
     summary said after about 3 months of pain; here NICE TA279's "recent,
     unhealed fracture with severe ongoing pain" decides); inflammatory ->
     treat the disease (plus the summary's special cases: CNO, myeloma,
     Charcot foot, spinal cord compression, and bone bruises / unknown causes).
  4. Follow-up imaging: repeat MRI after about 3 months.

The summary proposes its drugs to everyone; here an option that is unsafe for
the person (pregnancy or breast-feeding, kidney problems, cancer with a spinal
fracture) is replaced by a "not proposed, because ..." step.

``required_slots`` decides which questions matter for the person's case;
``build_plan`` turns the answers into ordered steps. What each step says and
which knowledge-base facts back it live in ``knowledge/plan.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import List, Optional

WEIGHT_BEARING_SITES = {"hip", "knee", "shin", "ankle", "foot", "pelvis"}
FOOT_SITES = {"foot", "ankle"}
SPINE_CONDITIONS = {"vertebral_compression_fracture", "multiple_myeloma", "spinal_cord_compression"}
# Etiology answers besides the condition ids of the vocabulary.
TRAUMATIC, UNKNOWN = "traumatic", "unknown"
SEVERE_PAIN = 7  # 0-10 scale: the "severe ongoing pain" of NICE TA279
# NICE TA279 covers augmentation only after a recent, unhealed fracture; its
# draft counted a fracture as recent within 6 weeks.
RECENT_FRACTURE_WEEKS = 6

# Answers to "are you pregnant, breast-feeding, or could you be pregnant?".
PREGNANT, COULD_BE_PREGNANT, BREASTFEEDING, NOT_PREGNANT = "pregnant", "could_be_pregnant", "breastfeeding", "no"
PREGNANCY_ANSWERS = (PREGNANT, COULD_BE_PREGNANT, BREASTFEEDING, NOT_PREGNANT)
NO_NSAIDS = {PREGNANT, COULD_BE_PREGNANT}
NO_DRIPS = {PREGNANT, COULD_BE_PREGNANT, BREASTFEEDING}  # iloprost, bisphosphonates

# Steps that propose a medicine unsafe in pregnancy or breast-feeding.
PREGNANCY_SENSITIVE_STEPS = {"pain_control", "pain_control_severe", "iloprost_option", "bisphosphonate_option"}
# Red flags (knowledge/red_flags.yml) that the answers themselves raise.
CORD_COMPRESSION_FLAG = "spinal_cord_compression"
CANCER_SPINE_FLAG = "spinal_metastasis_pain"

PLAN_SLOTS = (
    "mri_confirmed",
    "etiology",
    "body_site",
    "neuro_symptoms",
    "cancer_history",
    "diabetes",
    "pain_severity",
    "pain_duration_weeks",
    "pregnancy",
    "kidney_problems",
)


@dataclass(frozen=True)
class PlanInputs:
    mri_confirmed: Optional[bool] = None
    etiology: Optional[str] = None
    body_site: Optional[str] = None
    pain_severity: Optional[float] = None
    pain_duration_weeks: Optional[float] = None
    neuro_symptoms: Optional[bool] = None
    diabetes: Optional[bool] = None
    pregnancy: Optional[str] = None  # one of PREGNANCY_ANSWERS
    kidney_problems: Optional[bool] = None
    cancer_history: Optional[bool] = None


@dataclass(frozen=True)
class PlanStep:
    number: int  # 1-4: the algorithm step this belongs to
    key: str  # the step's entry in knowledge/plan.yml


def is_urgent(inputs: PlanInputs) -> bool:
    """Suspected spinal cord compression overrides everything else."""
    return inputs.neuro_symptoms is True or inputs.etiology == "spinal_cord_compression"


def red_flag(inputs: PlanInputs) -> Optional[str]:
    """The red flag these answers raise, if any: cord compression replaces
    the plan; a spinal problem in someone who has had cancer needs the cancer
    team the same day, and the plan goes on."""
    if is_urgent(inputs):
        return CORD_COMPRESSION_FLAG
    if _cancer_spine(inputs):
        return CANCER_SPINE_FLAG
    return None


def _spine_case(inputs: PlanInputs) -> bool:
    return inputs.etiology in SPINE_CONDITIONS or inputs.body_site == "spine"


def _cancer_spine(inputs: PlanInputs) -> bool:
    return inputs.cancer_history is True and _spine_case(inputs)


def _needs_body_site(inputs: PlanInputs) -> bool:
    return inputs.etiology not in SPINE_CONDITIONS and inputs.etiology != "charcot"


def _needs_diabetes(inputs: PlanInputs) -> bool:
    return inputs.etiology != "charcot" and inputs.body_site in FOOT_SITES


def _needs_cancer_history(inputs: PlanInputs) -> bool:
    # Myeloma is a cancer already; the question is for every other spine case.
    return _spine_case(inputs) and inputs.etiology != "multiple_myeloma"


def _severe(inputs: PlanInputs) -> bool:
    return inputs.pain_severity is not None and inputs.pain_severity >= SEVERE_PAIN


def _needs_duration(inputs: PlanInputs) -> bool:
    """How long the pain has lasted only decides whether augmentation is
    discussed: for severe pain after an osteoporotic vertebral fracture."""
    return inputs.etiology == "vertebral_compression_fracture" and not _cancer_spine(inputs) and _severe(inputs)


def _proposes(inputs: PlanInputs, keys: set) -> bool:
    return any(step.key in keys for step in build_plan(inputs))


def _needs_pregnancy(inputs: PlanInputs) -> bool:
    return _proposes(replace(inputs, pregnancy=None), PREGNANCY_SENSITIVE_STEPS)


def _needs_kidney_problems(inputs: PlanInputs) -> bool:
    return _proposes(replace(inputs, kidney_problems=None), {"bisphosphonate_option"})


def required_slots(inputs: PlanInputs, skipped: List[str] = ()) -> List[str]:
    """The questions that matter for this case, in the order they are asked.

    Only answered slots shape the list, so it grows as answers come in: the
    body site is asked unless the cause already fixes it (spine conditions)
    or does not need it (Charcot is by definition the foot), diabetes only for
    a foot or ankle, neurological symptoms and cancer history only for a spine
    case, pain duration only when it decides about augmentation, and the
    safety questions (pregnancy, kidneys) only before the plan would propose a
    medicine they rule out.
    """
    if is_urgent(inputs):
        # Nothing more is asked; the answers given stay required so that the
        # form still validates them.
        return [slot for slot in PLAN_SLOTS if getattr(inputs, slot) is not None]
    wanted = ["mri_confirmed"]
    if inputs.mri_confirmed is not False:
        wanted.append("etiology")
    if _needs_body_site(inputs):
        wanted.append("body_site")
    if _spine_case(inputs):
        wanted.append("neuro_symptoms")
    if _needs_cancer_history(inputs):
        wanted.append("cancer_history")
    if _needs_diabetes(inputs):
        wanted.append("diabetes")
    wanted.append("pain_severity")
    if _needs_duration(inputs):
        wanted.append("pain_duration_weeks")
    if _needs_pregnancy(inputs):
        wanted.append("pregnancy")
    if _needs_kidney_problems(inputs):
        wanted.append("kidney_problems")
    return [slot for slot in wanted if slot not in skipped]


def _diagnosis_steps(inputs: PlanInputs) -> List[str]:
    if inputs.mri_confirmed:
        return ["mri_done_find_cause"]
    return ["get_mri"]


def _pain_steps(inputs: PlanInputs) -> List[str]:
    if inputs.pregnancy in NO_NSAIDS:
        return ["pain_control_pregnancy", "no_nsaids_pregnancy"]
    return ["pain_control_severe" if _severe(inputs) else "pain_control"]


def _initial_management_steps(inputs: PlanInputs) -> List[str]:
    steps = _pain_steps(inputs)
    if _charcot_foot(inputs):
        steps.append("offloading")
    elif _spine_case(inputs):
        steps.append("spine_activity")
    elif inputs.body_site in WEIGHT_BEARING_SITES or inputs.body_site is None:
        steps.append("protected_weight_bearing")
    else:
        steps.append("activity_modification")
    return steps


def _charcot_foot(inputs: PlanInputs) -> bool:
    return inputs.etiology == "charcot" or (inputs.diabetes is True and inputs.body_site in FOOT_SITES)


def _drip_steps(inputs: PlanInputs) -> List[str]:
    """Iloprost and bisphosphonate drips, or why they are not proposed."""
    if inputs.pregnancy in NO_DRIPS:
        care = "therapy_toh_pregnancy" if inputs.body_site == "hip" else "therapy_bmes_supportive"
        return [care, "no_iloprost_pregnancy", "no_bisphosphonates_pregnancy"]
    bisphosphonates = "no_bisphosphonates_kidney" if inputs.kidney_problems else "bisphosphonate_option"
    return ["therapy_ischemic", "iloprost_option", bisphosphonates]


def _vertebral_fracture_steps(inputs: PlanInputs) -> List[str]:
    """Pain care first; augmentation only within NICE TA279; then the bones."""
    steps = ["therapy_vcf_conservative"]
    if _severe(inputs):
        weeks = inputs.pain_duration_weeks
        recent = weeks is None or weeks <= RECENT_FRACTURE_WEEKS
        steps.append("therapy_vcf_augmentation" if recent else "no_augmentation_not_recent")
    steps.append("bone_protection")
    if inputs.pregnancy in NO_DRIPS:
        steps.append("no_bisphosphonates_pregnancy")
    return steps


def _targeted_steps(inputs: PlanInputs) -> List[str]:
    cause = inputs.etiology
    if _cancer_spine(inputs):  # with or without an MRI: the cancer team first
        steps = ["therapy_cancer_spine"]
        if cause == "vertebral_compression_fracture":
            steps.append("no_augmentation_cancer")
        return steps
    if inputs.mri_confirmed is False:
        return ["therapy_after_mri"]
    if _charcot_foot(inputs):
        return ["therapy_charcot"]
    if cause == "bmes":
        steps = _drip_steps(inputs)
        if inputs.body_site in WEIGHT_BEARING_SITES:
            steps.append("osteonecrosis_watch")
        return steps
    if cause == "vertebral_compression_fracture":
        return _vertebral_fracture_steps(inputs)
    by_cause = {
        "cno": "therapy_cno",
        "inflammatory": "therapy_inflammatory",
        "multiple_myeloma": "therapy_myeloma",
        "osteonecrosis": "therapy_osteonecrosis",
        "bone_bruise": "therapy_traumatic",
        TRAUMATIC: "therapy_traumatic",
    }
    return [by_cause.get(cause, "therapy_unknown_cause")]


def build_plan(inputs: PlanInputs) -> List[PlanStep]:
    """Ordered steps for this person; the urgent branch replaces the plan."""
    if is_urgent(inputs):
        return [PlanStep(1, "urgent_cord_compression")]
    groups = [_diagnosis_steps(inputs), _initial_management_steps(inputs), _targeted_steps(inputs), ["follow_up_mri"]]
    return [PlanStep(number, key) for number, keys in enumerate(groups, start=1) for key in keys]
