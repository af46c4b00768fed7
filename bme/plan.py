"""The clinical summary's 4-step treatment algorithm, applied to one person.

Plain Python, no Rasa import. Read it next to the summary's algorithm:

  1. Diagnosis confirmation: MRI of the affected area, look for the cause.
  2. Initial management: pain control (NSAIDs, short-term opioids only if
     needed); activity modification and protected weight bearing.
  3. Targeted therapy by cause: ischemic/atraumatic BME -> iloprost or
     bisphosphonates; vertebral compression fracture -> augmentation only if
     pain persists beyond about 3 months; inflammatory -> treat the disease
     (plus the summary's special cases: CNO, myeloma, Charcot foot, spinal
     cord compression, and bone bruises / unknown causes).
  4. Follow-up imaging: repeat MRI after about 3 months.

``required_slots`` decides which questions matter for the person's case;
``build_plan`` turns the answers into ordered steps. What each step says and
which knowledge-base facts back it live in ``knowledge/plan.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

WEIGHT_BEARING_SITES = {"hip", "knee", "ankle", "foot", "pelvis"}
FOOT_SITES = {"foot", "ankle"}
SPINE_CONDITIONS = {"vertebral_compression_fracture", "multiple_myeloma", "spinal_cord_compression"}
# Etiology answers besides the condition ids of the vocabulary.
TRAUMATIC, UNKNOWN = "traumatic", "unknown"
SEVERE_PAIN = 7  # 0-10 scale: at or above this, short-term opioids may be discussed
AUGMENTATION_AFTER_WEEKS = 12  # "pain persists beyond about 3 months"

PLAN_SLOTS = (
    "mri_confirmed",
    "etiology",
    "body_site",
    "neuro_symptoms",
    "diabetes",
    "pain_severity",
    "pain_duration_weeks",
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


@dataclass(frozen=True)
class PlanStep:
    number: int  # 1-4: the algorithm step this belongs to
    key: str  # the step's entry in knowledge/plan.yml


def is_urgent(inputs: PlanInputs) -> bool:
    """Suspected spinal cord compression overrides everything else."""
    return inputs.neuro_symptoms is True or inputs.etiology == "spinal_cord_compression"


def _spine_case(inputs: PlanInputs) -> bool:
    return inputs.etiology in SPINE_CONDITIONS or inputs.body_site == "spine"


def _needs_body_site(inputs: PlanInputs) -> bool:
    return inputs.etiology not in SPINE_CONDITIONS and inputs.etiology != "charcot"


def _needs_diabetes(inputs: PlanInputs) -> bool:
    return inputs.etiology != "charcot" and inputs.body_site in FOOT_SITES


def required_slots(inputs: PlanInputs, skipped: List[str] = ()) -> List[str]:
    """The questions that matter for this case, in the order they are asked.

    Only answered slots shape the list, so it grows as answers come in: the
    body site is asked unless the cause already fixes it (spine conditions)
    or does not need it (Charcot is by definition the foot), diabetes only for
    a foot or ankle, neurological symptoms only for a spine case, and pain
    duration only for a vertebral compression fracture, the one branch it
    changes.
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
    if _needs_diabetes(inputs):
        wanted.append("diabetes")
    wanted.append("pain_severity")
    if inputs.etiology == "vertebral_compression_fracture":
        wanted.append("pain_duration_weeks")
    return [slot for slot in wanted if slot not in skipped]


def _diagnosis_steps(inputs: PlanInputs) -> List[str]:
    if inputs.mri_confirmed:
        return ["mri_done_find_cause"]
    return ["get_mri"]


def _initial_management_steps(inputs: PlanInputs) -> List[str]:
    severe = inputs.pain_severity is not None and inputs.pain_severity >= SEVERE_PAIN
    steps = ["pain_control_severe" if severe else "pain_control"]
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


def _vertebral_fracture_steps(inputs: PlanInputs) -> List[str]:
    weeks = inputs.pain_duration_weeks
    still_painful = inputs.pain_severity is None or inputs.pain_severity > 0
    if weeks is not None and weeks >= AUGMENTATION_AFTER_WEEKS and still_painful:
        return ["therapy_vcf_augmentation"]
    return ["therapy_vcf_conservative"]


def _targeted_steps(inputs: PlanInputs) -> List[str]:
    cause = inputs.etiology
    if _charcot_foot(inputs):
        return ["therapy_charcot"]
    if cause == "bmes":
        steps = ["therapy_ischemic"]
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
    if inputs.mri_confirmed is False:
        groups = [_diagnosis_steps(inputs), _initial_management_steps(inputs), ["therapy_after_mri"], ["follow_up_mri"]]
    else:
        groups = [
            _diagnosis_steps(inputs),
            _initial_management_steps(inputs),
            _targeted_steps(inputs),
            ["follow_up_mri"],
        ]
    return [PlanStep(number, key) for number, keys in enumerate(groups, start=1) for key in keys]
