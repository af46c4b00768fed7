"""The 4-step treatment algorithm: every branch, boundaries, unknown inputs."""

import pytest

from bme.plan import (
    PLAN_SLOTS,
    RECENT_FRACTURE_WEEKS,
    SEVERE_PAIN,
    PlanInputs,
    build_plan,
    is_urgent,
    red_flag,
    required_slots,
)


def keys(inputs):
    return [step.key for step in build_plan(inputs)]


def numbers(inputs):
    return [step.number for step in build_plan(inputs)]


HIP_BMES = PlanInputs(mri_confirmed=True, etiology="bmes", body_site="hip", pain_severity=5)
SAFE_HIP_BMES = PlanInputs(True, "bmes", "hip", 5, pregnancy="no", kidney_problems=False)


def test_every_plan_follows_the_four_steps_in_order():
    assert numbers(SAFE_HIP_BMES) == [1, 2, 2, 3, 3, 3, 3, 4]
    assert keys(SAFE_HIP_BMES) == [
        "mri_done_find_cause",
        "pain_control",
        "protected_weight_bearing",
        "therapy_ischemic",
        "iloprost_option",
        "bisphosphonate_option",
        "osteonecrosis_watch",
        "follow_up_mri",
    ]


def test_ischemic_bme_outside_weight_bearing_joints_has_no_osteonecrosis_watch():
    assert "osteonecrosis_watch" not in keys(PlanInputs(True, "bmes", "shoulder", 4))
    assert "activity_modification" in keys(PlanInputs(True, "bmes", "shoulder", 4))


def test_no_mri_yet_means_get_one_first():
    plan = keys(PlanInputs(mri_confirmed=False, body_site="knee", pain_severity=4))
    assert plan == ["get_mri", "pain_control", "protected_weight_bearing", "therapy_after_mri", "follow_up_mri"]


def vcf(severity, weeks=None, **answers):
    return PlanInputs(True, "vertebral_compression_fracture", None, severity, weeks, neuro_symptoms=False, **answers)


@pytest.mark.parametrize(
    "weeks, severity, augmentation",
    [
        (2, SEVERE_PAIN, "therapy_vcf_augmentation"),  # recent fracture, severe pain: NICE TA279
        (RECENT_FRACTURE_WEEKS, 9, "therapy_vcf_augmentation"),
        (None, 8, "therapy_vcf_augmentation"),  # duration skipped: the NICE criteria say what counts
        (RECENT_FRACTURE_WEEKS + 0.1, 8, "no_augmentation_not_recent"),
        (17.3, 8, "no_augmentation_not_recent"),  # the summary's "after 3 months" is no longer the trigger
        (2, SEVERE_PAIN - 0.1, None),  # not severe: pain relief first, no procedure
        (30, 0, None),
        (None, None, None),  # severity skipped
    ],
)
def test_vertebral_augmentation_follows_nice_ta279(weeks, severity, augmentation):
    plan = keys(vcf(severity, weeks))
    shown = {"therapy_vcf_augmentation", "no_augmentation_not_recent"} & set(plan)
    assert shown == ({augmentation} if augmentation else set())
    assert plan[:2] == ["mri_done_find_cause", "pain_control_severe" if severity and severity >= 7 else "pain_control"]
    assert "spine_activity" in plan and "therapy_vcf_conservative" in plan


def test_osteoporotic_vertebral_fracture_gets_bone_protection():
    for inputs in (vcf(4), vcf(8, 20), vcf(8, 2, cancer_history=False)):
        assert "bone_protection" in keys(inputs)


def test_duration_is_asked_only_when_it_decides_about_augmentation():
    assert required_slots(vcf(8))[-3:] == ["pain_severity", "pain_duration_weeks", "pregnancy"]
    assert "pain_duration_weeks" not in required_slots(vcf(5))
    assert "pain_duration_weeks" not in required_slots(vcf(9, cancer_history=True))


@pytest.mark.parametrize(
    "severity, expected",
    [
        (0, "pain_control"),
        (6.9, "pain_control"),
        (7, "pain_control_severe"),
        (10, "pain_control_severe"),
        (None, "pain_control"),
    ],
)
def test_pain_step_depends_on_severity(severity, expected):
    assert keys(PlanInputs(True, "bone_bruise", "knee", severity))[1] == expected


@pytest.mark.parametrize(
    "etiology, step",
    [
        ("cno", "therapy_cno"),
        ("inflammatory", "therapy_inflammatory"),
        ("multiple_myeloma", "therapy_myeloma"),
        ("osteonecrosis", "therapy_osteonecrosis"),
        ("bone_bruise", "therapy_traumatic"),
        ("traumatic", "therapy_traumatic"),
        ("unknown", "therapy_unknown_cause"),
        ("something new", "therapy_unknown_cause"),
        (None, "therapy_unknown_cause"),
    ],
)
def test_targeted_therapy_by_cause(etiology, step):
    assert step in keys(PlanInputs(True, etiology, "knee", 3))


def test_charcot_foot_offloading_is_essential():
    for inputs in (
        PlanInputs(True, "charcot", None, 4),
        PlanInputs(True, "unknown", "foot", 4, diabetes=True),
        PlanInputs(True, "bmes", "ankle", 4, diabetes=True),
    ):
        plan = keys(inputs)
        assert "offloading" in plan and "therapy_charcot" in plan, inputs


def test_foot_without_diabetes_is_not_charcot():
    plan = keys(PlanInputs(True, "bmes", "foot", 4, diabetes=False))
    assert "therapy_charcot" not in plan and "therapy_ischemic" in plan


@pytest.mark.parametrize(
    "inputs",
    [
        PlanInputs(neuro_symptoms=True),
        PlanInputs(True, "vertebral_compression_fracture", neuro_symptoms=True),
        PlanInputs(True, "spinal_cord_compression"),
    ],
)
def test_suspected_cord_compression_replaces_the_plan(inputs):
    assert is_urgent(inputs)
    assert keys(inputs) == ["urgent_cord_compression"]
    answered = [slot for slot in PLAN_SLOTS if getattr(inputs, slot) is not None]
    assert required_slots(inputs) == answered  # nothing more is asked


def test_every_step_has_wording_in_the_knowledge_base(kb):
    etiologies = list(kb.vocabulary["condition"]) + ["traumatic", "unknown", None]
    sites = list(kb.vocabulary["body_site"]) + [None]
    used = set()
    for etiology in etiologies:
        for site in sites:
            for mri in (True, False):
                for diabetes in (True, False):
                    for weeks, severity in ((2, 3), (20, 8), (2, 8)):
                        for pregnancy in ("no", "pregnant", "breastfeeding"):
                            for kidneys, cancer in ((False, False), (True, True)):
                                inputs = PlanInputs(
                                    mri, etiology, site, severity, weeks, False, diabetes, pregnancy, kidneys, cancer
                                )
                                used.update(keys(inputs))
    assert used == set(kb.plan.steps), "plan.yml and the algorithm disagree"


# Which questions are asked: only what the branch needs.


def test_first_question_is_the_mri():
    assert required_slots(PlanInputs())[0] == "mri_confirmed"


def test_ischemic_hip_asks_the_safety_questions_but_nothing_about_the_spine():
    assert required_slots(HIP_BMES) == [
        "mri_confirmed",
        "etiology",
        "body_site",
        "pain_severity",
        "pregnancy",
        "kidney_problems",
    ]


def test_vertebral_fracture_asks_neuro_and_cancer_not_site():
    slots = required_slots(PlanInputs(True, "vertebral_compression_fracture"))
    assert slots == ["mri_confirmed", "etiology", "neuro_symptoms", "cancer_history", "pain_severity", "pregnancy"]


def test_foot_asks_about_diabetes():
    assert "diabetes" in required_slots(PlanInputs(True, "unknown", "foot"))
    assert "diabetes" not in required_slots(PlanInputs(True, "unknown", "knee"))
    assert "diabetes" not in required_slots(PlanInputs(True, "charcot"))


def test_spine_site_asks_about_neuro_symptoms():
    assert "neuro_symptoms" in required_slots(PlanInputs(True, "unknown", "spine"))


def test_no_mri_skips_the_cause_question():
    assert "etiology" not in required_slots(PlanInputs(mri_confirmed=False))


def test_skipped_questions_are_not_asked_again():
    assert "body_site" not in required_slots(PlanInputs(True, "bmes"), skipped=["body_site"])


def test_required_slots_are_plan_slots():
    assert set(required_slots(PlanInputs(True, "vertebral_compression_fracture", "foot"))) <= set(PLAN_SLOTS)


# Safety: what is asked before a medicine or procedure, and what is withheld.


@pytest.mark.parametrize("pregnancy", ["pregnant", "could_be_pregnant"])
def test_pregnancy_withholds_nsaids_and_drips_and_says_why(pregnancy):
    plan = keys(PlanInputs(True, "bmes", "hip", 6, pregnancy=pregnancy))
    assert plan == [
        "mri_done_find_cause",
        "pain_control_pregnancy",
        "no_nsaids_pregnancy",
        "protected_weight_bearing",
        "therapy_toh_pregnancy",
        "no_iloprost_pregnancy",
        "no_bisphosphonates_pregnancy",
        "osteonecrosis_watch",
        "follow_up_mri",
    ]


def test_breastfeeding_withholds_the_drips_only():
    plan = keys(PlanInputs(True, "bmes", "knee", 6, pregnancy="breastfeeding"))
    assert "pain_control" in plan and "no_nsaids_pregnancy" not in plan
    assert {"no_iloprost_pregnancy", "no_bisphosphonates_pregnancy", "therapy_bmes_supportive"} <= set(plan)
    assert not {"iloprost_option", "bisphosphonate_option", "therapy_ischemic"} & set(plan)


def test_not_pregnant_gets_the_usual_options():
    plan = keys(PlanInputs(True, "bmes", "hip", 6, pregnancy="no"))
    assert {"pain_control", "iloprost_option", "bisphosphonate_option"} <= set(plan)
    assert not [key for key in plan if key.startswith("no_")]


@pytest.mark.parametrize(
    "inputs",
    [
        PlanInputs(True, "bmes", "hip", 6),
        PlanInputs(False, None, "knee", 3),  # no MRI yet: still the NSAID step
        PlanInputs(True, "cno", "ankle", 3, diabetes=False),
        vcf(8, 3),
    ],
)
def test_pregnancy_is_asked_before_any_nsaid_or_drip(inputs):
    assert "pregnancy" in required_slots(inputs)


def test_pregnancy_is_not_asked_when_the_plan_is_urgent():
    assert "pregnancy" not in required_slots(PlanInputs(True, "vertebral_compression_fracture", neuro_symptoms=True))


def test_kidneys_are_asked_only_before_a_bisphosphonate_drip():
    assert "kidney_problems" in required_slots(PlanInputs(True, "bmes", "hip", 6, pregnancy="no"))
    assert "kidney_problems" not in required_slots(PlanInputs(True, "bmes", "hip", 6, pregnancy="pregnant"))
    assert "kidney_problems" not in required_slots(PlanInputs(True, "bone_bruise", "knee", 6, pregnancy="no"))
    assert "kidney_problems" not in required_slots(PlanInputs(True, "bmes", "foot", 6, diabetes=True))  # Charcot


def test_kidney_problems_withhold_the_bisphosphonate_drip_not_iloprost():
    plan = keys(PlanInputs(True, "bmes", "hip", 6, pregnancy="no", kidney_problems=True))
    assert "no_bisphosphonates_kidney" in plan and "bisphosphonate_option" not in plan
    assert "iloprost_option" in plan


def test_unknown_kidneys_keep_the_drip_with_its_checks():
    # "Not sure" skips the question; the option then comes with its prerequisites.
    assert "bisphosphonate_option" in keys(PlanInputs(True, "bmes", "hip", 6, pregnancy="no"))


def test_cancer_history_is_asked_for_every_spine_case_except_myeloma():
    assert "cancer_history" in required_slots(PlanInputs(True, "bmes", "spine", neuro_symptoms=False))
    assert "cancer_history" in required_slots(PlanInputs(False, None, "spine", neuro_symptoms=False))
    assert "cancer_history" not in required_slots(PlanInputs(True, "multiple_myeloma", neuro_symptoms=False))
    assert "cancer_history" not in required_slots(PlanInputs(True, "bmes", "hip"))


def test_cancer_history_with_a_spinal_fracture_goes_to_the_cancer_team_first():
    plan = keys(vcf(8, 2, cancer_history=True))
    assert plan[-3:] == ["therapy_cancer_spine", "no_augmentation_cancer", "follow_up_mri"]
    assert not {"therapy_vcf_augmentation", "therapy_vcf_conservative", "bone_protection"} & set(plan)
    assert red_flag(vcf(8, 2, cancer_history=True)) == "spinal_metastasis_pain"


def test_cancer_history_outranks_a_missing_mri_for_the_spine():
    inputs = PlanInputs(False, None, "spine", 5, neuro_symptoms=False, cancer_history=True)
    assert "therapy_cancer_spine" in keys(inputs) and "therapy_after_mri" not in keys(inputs)


def test_no_cancer_history_keeps_the_osteoporotic_pathway():
    assert red_flag(vcf(8, 2, cancer_history=False)) is None
    assert "therapy_vcf_augmentation" in keys(vcf(8, 2, cancer_history=False))


def test_cord_compression_red_flag_comes_first():
    assert red_flag(PlanInputs(True, "vertebral_compression_fracture", neuro_symptoms=True, cancer_history=True)) == (
        "spinal_cord_compression"
    )


def test_pregnant_with_a_vertebral_fracture_gets_no_bone_drugs():
    plan = keys(vcf(8, 2, pregnancy="pregnant", cancer_history=False))
    assert {"bone_protection", "no_bisphosphonates_pregnancy", "no_nsaids_pregnancy"} <= set(plan)


def test_withheld_steps_say_why_and_cite(kb):
    withheld = {key for key, step in kb.plan.steps.items() if key.startswith("no_")}
    assert withheld == {key for key, step in kb.plan.steps.items() if step.because}
    for key in withheld:
        assert kb.plan.steps[key].title.startswith("Not proposed"), key


def test_the_not_recent_reason_names_the_weeks_the_plan_uses(kb):
    assert f"{RECENT_FRACTURE_WEEKS} weeks" in kb.plan.steps["no_augmentation_not_recent"].because
