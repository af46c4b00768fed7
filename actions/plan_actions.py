"""Rasa glue for the guided treatment plan (form ``treatment_plan_form``).

The questions asked, their parsing and the plan itself live in plain Python
(``plan``, ``plan_inputs``, ``plan_text``); these classes only move values
between the tracker and that core.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.dispatch import say, send_answer
from bme import answers, kept_plan, plan, plan_inputs, plan_text
from bme.knowledge import KnowledgeBase, knowledge_base
from bme.plan_link import check_settings, plan_links
from bme.vocabulary import canonical_value

FORM = "treatment_plan_form"


MAX_INVALID_ANSWERS = 2


ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 4, "one": 1, "two": 2, "three": 3, "four": 4}


def plan_inputs_from(tracker: Tracker) -> plan.PlanInputs:
    """The understood answers (the raw text of one being re-asked is not an answer)."""
    return kept_plan.inputs_from_slots(knowledge_base(), tracker.get_slot)


def stored_steps(tracker: Tracker) -> List[plan.PlanStep]:
    """The plan kept in the conversation."""
    return kept_plan.steps_from_slot(tracker.get_slot(kept_plan.STEPS_SLOT))


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    return next(tracker.get_latest_entity_values(name), None)


def _intent(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def red_flag_text(kb: KnowledgeBase, flag_id: str, tracker: Tracker) -> str:
    flag = next(flag for flag in kb.red_flags if flag.id == flag_id)
    return answers.red_flag_message(kb, flag, tracker.get_slot("audience"))


def _etiology(kb: KnowledgeBase, tracker: Tracker) -> Optional[str]:
    named = _entity(tracker, "condition")
    if named in (plan.TRAUMATIC, plan.UNKNOWN):  # button payloads
        return named
    return canonical_value(kb, "condition", named) or plan_inputs.parse_etiology(
        kb, _text(tracker), kb.plan.etiology_words
    )


def _body_site(kb: KnowledgeBase, tracker: Tracker) -> Optional[str]:
    return canonical_value(kb, "body_site", _entity(tracker, "body_site")) or plan_inputs.parse_body_site(
        kb, _text(tracker)
    )


def _yes_no(kb: KnowledgeBase, tracker: Tracker) -> Optional[bool]:
    return plan_inputs.parse_yes_no(_text(tracker), _intent(tracker))


def _pregnancy(kb: KnowledgeBase, tracker: Tracker) -> Optional[str]:
    named = _entity(tracker, "pregnancy")  # button payloads
    if named in plan.PREGNANCY_ANSWERS:
        return named
    return plan_inputs.parse_pregnancy(_text(tracker), _intent(tracker))


# How the latest message answers each plan question (None: not understood).
ANSWER_PARSERS = {
    "mri_confirmed": _yes_no,
    "etiology": _etiology,
    "body_site": _body_site,
    "neuro_symptoms": _yes_no,
    "diabetes": _yes_no,
    "pain_severity": lambda kb, tracker: plan_inputs.parse_pain_severity(_text(tracker)),
    "pain_duration_weeks": lambda kb, tracker: plan_inputs.parse_duration_weeks(_text(tracker)),
    "pregnancy": _pregnancy,
    "kidney_problems": lambda kb, tracker: plan_inputs.parse_kidney_problems(_text(tracker), _intent(tracker)),
    "cancer_history": lambda kb, tracker: plan_inputs.parse_cancer_history(_text(tracker), _intent(tracker)),
}


# Always handled by their own rules, even if the text could be an answer.
INTERRUPTING_INTENTS = {
    "report_red_flag",
    "report_same_day_red_flag",
    "stop",
    "start_over",
    "start_treatment_plan",
    "ask_why",
    "ask_sources",
    "repeat_plan",
    "explain_step",
    "set_audience",
    "help",
    "bot_challenge",
    "feedback",  # 👍 / 👎 on an answer given during the plan
}


QUESTION_INTENTS = {
    "ask_definition",
    "ask_causes",
    "ask_diagnosis",
    "ask_treatment",
    "ask_pain_management",
    "ask_procedure",
    "ask_activity",
    "ask_side_effects",
    "ask_prognosis",
    "ask_follow_up",
    "greet",
    "thank",
    "goodbye",
}


def _add_slot_methods(form: type) -> type:
    """rasa_sdk looks up ``extract_<slot>`` and ``validate_<slot>`` by name;
    every plan question is handled by the same two methods."""
    for slot in plan.PLAN_SLOTS:

        def extract(self, dispatcher, tracker, domain, slot=slot):
            return self._extract(slot, tracker)

        def validate(self, value, dispatcher, tracker, domain, slot=slot):
            return self._validate(slot, value, dispatcher, tracker)

        setattr(form, f"extract_{slot}", extract)
        setattr(form, f"validate_{slot}", validate)
    return form


@_add_slot_methods
class ValidateTreatmentPlanForm(FormValidationAction):
    """Decides whether a message answers the current question, parses it, and
    re-asks with an example (explaining why after two misses)."""

    def name(self) -> Text:
        return "validate_treatment_plan_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return plan.required_slots(plan_inputs_from(tracker), tracker.get_slot("skipped_slots") or [])

    @staticmethod
    def _extract(slot: str, tracker: Tracker) -> Dict[Text, Any]:
        """The parsed answer, the raw text of one not understood, or nothing
        when the message is not meant as an answer.

        "About four months" may be classified as a question about prognosis,
        but it answers "how long have you had this pain?", so a message that
        parses as an answer counts as one; an unparseable question interrupts
        the plan instead, and anything else is an answer to re-ask."""
        if tracker.get_slot("requested_slot") != slot or tracker.active_loop_name != FORM:
            return {}
        intent = _intent(tracker)
        if intent in INTERRUPTING_INTENTS:
            return {}
        value = ANSWER_PARSERS[slot](knowledge_base(), tracker)
        if value is None and intent in QUESTION_INTENTS:
            return {}
        return {slot: value if value is not None else (_text(tracker) or intent)}

    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """Accept an understood answer (also one given before the plan
        started), record a skip, or count a miss and re-ask."""
        kb = knowledge_base()
        if _intent(tracker) == "skip" and tracker.get_slot("requested_slot") == slot:
            skipped = (tracker.get_slot("skipped_slots") or []) + [slot]
            return {slot: None, "skipped_slots": skipped, "invalid_answers": 0}
        if plan_inputs.is_valid_answer(kb, slot, value):
            # A red flag this answer raises (cord compression, cancer with a
            # spinal problem) is said at once, before any further question.
            inputs = plan_inputs_from(tracker)
            raised = plan.red_flag(replace(inputs, **{slot: value}))
            if raised and raised != plan.red_flag(replace(inputs, **{slot: None})):
                dispatcher.utter_message(text=red_flag_text(kb, raised, tracker))
            answer = {slot: value, "invalid_answers": 0}
            site = None if slot == "body_site" or tracker.get_slot("body_site") else _body_site(kb, tracker)
            if site:
                # An answer may name the site too: "a compression fracture in my spine", "yes, on my hip MRI".
                answer["body_site"] = site
            return answer
        misses = int(tracker.get_slot("invalid_answers") or 0) + 1
        if misses >= MAX_INVALID_ANSWERS:
            dispatcher.utter_message(text=kb.plan.questions[slot].why)
            say(dispatcher, kb.messages["offer_skip"])
        else:
            dispatcher.utter_message(text=kb.plan.questions[slot].invalid)
        return {slot: None, "invalid_answers": misses}


def _plan_message(kb: KnowledgeBase, tracker: Tracker, steps: List[plan.PlanStep]) -> answers.Answer:
    return plan_text.render_plan(kb, steps, plan_inputs_from(tracker), tracker.get_slot("audience"))


# Wrong plan link settings stop the action server's start-up (bme/plan_link.py).
check_settings()


def _send_plan(dispatcher: CollectingDispatcher, kb: KnowledgeBase, tracker: Tracker, steps) -> List[SlotSet]:
    """The plan with a link to its printable page (not under an emergency, which comes first)."""
    buttons = []
    if not plan.is_urgent(plan_inputs_from(tracker)):
        buttons.append({"title": kb.plan_page.button, "url": plan_links().url(tracker.sender_id)})
    return send_answer(dispatcher, _plan_message(kb, tracker, steps), buttons=buttons)


class ActionShowPlan(Action):
    def name(self) -> Text:
        return "action_show_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        steps = plan.build_plan(plan_inputs_from(tracker))
        remembered = _send_plan(dispatcher, kb, tracker, steps)
        return [SlotSet(kept_plan.STEPS_SLOT, kept_plan.steps_slot_value(steps)), *remembered]


class PlanFollowUp(Action, ABC):
    """An action about the plan kept in the conversation; offers one if there is none."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        steps = stored_steps(tracker)
        if not steps:
            say(dispatcher, kb.messages["no_plan_yet"])
            return []
        return self.about_plan(dispatcher, tracker, kb, steps)

    @abstractmethod
    def about_plan(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, steps: List[plan.PlanStep]
    ) -> List:
        """Reply about the stored ``steps``."""


class ActionRepeatPlan(PlanFollowUp):
    def name(self) -> Text:
        return "action_repeat_plan"

    def about_plan(self, dispatcher, tracker, kb, steps) -> List:
        return _send_plan(dispatcher, kb, tracker, steps)


def step_number(text: str) -> Optional[int]:
    """ "step 3", "the third step", "step three" -> 3."""
    clean = text.lower()
    digits = re.search(r"\b(\d+)\b", clean)
    if digits:
        return int(digits.group(1))
    return next((number for word, number in ORDINALS.items() if re.search(rf"\b{word}\b", clean)), None)


class ActionExplainStep(PlanFollowUp):
    def name(self) -> Text:
        return "action_explain_step"

    def about_plan(self, dispatcher, tracker, kb, steps) -> List:
        number = step_number(_text(tracker))
        explained = plan_text.explain_step(kb, steps, number, tracker.get_slot("audience")) if number else None
        if explained is None:
            numbers = sorted({step.number for step in steps})
            say(dispatcher, kb.messages["unknown_step"], steps=", ".join(map(str, numbers)))
            return []
        return send_answer(dispatcher, explained)


class ActionResetPlan(Action):
    """Clears the plan's answers (start over, stop, or a new plan), keeping
    what the message that asked for the plan already says and the body site
    the conversation already named."""

    def name(self) -> Text:
        return "action_reset_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
        kb = knowledge_base()
        known = {}
        if _intent(tracker) == "start_treatment_plan":
            named = {name: canonical_value(kb, name, _entity(tracker, name)) for name in ("body_site", "condition")}
            # A body site named earlier in the conversation still applies.
            named["body_site"] = named["body_site"] or canonical_value(kb, "body_site", tracker.get_slot("body_site"))
            known = plan_inputs.prefill_from_request(kb, _text(tracker), {k: v for k, v in named.items() if v})
        answers_kept = [SlotSet(slot, known.get(slot)) for slot in plan.PLAN_SLOTS]
        return answers_kept + [
            SlotSet("plan_steps", None),
            SlotSet("skipped_slots", None),
            SlotSet("invalid_answers", 0),
            SlotSet("requested_slot", None),
        ]


def why_current_question(kb: KnowledgeBase, tracker: Tracker) -> Optional[str]:
    """During the plan, "why?" is about the question just asked."""
    requested = tracker.get_slot("requested_slot")
    if tracker.active_loop_name == FORM and requested in kb.plan.questions:
        return kb.plan.questions[requested].why
    return None


def ask_action(slot: str) -> type:
    """The action the form calls to ask for ``slot`` (``action_ask_<slot>``),
    with the wording and buttons of ``knowledge/plan.yml``."""

    class AskPlanQuestion(Action):
        def name(self) -> Text:
            return f"action_ask_{slot}"

        async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List:
            say(dispatcher, knowledge_base().plan.questions[slot].ask)
            return []

    return AskPlanQuestion


# rasa_sdk registers every Action subclass it can find, these included.
ASK_ACTIONS = [ask_action(slot) for slot in plan.PLAN_SLOTS]
