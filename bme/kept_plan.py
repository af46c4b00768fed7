"""The plan as a conversation keeps it in its slots. Plain Python, no Rasa import.

The actions (a rasa_sdk tracker) and the printable plan page (a tracker from
the tracker store) read it the same way: ``slot`` returns a slot's value.
"""

from __future__ import annotations

from typing import Any, Callable, List, Sequence

from bme import plan, plan_inputs
from bme.knowledge import KnowledgeBase

SlotValue = Callable[[str], Any]
STEPS_SLOT = "plan_steps"


def inputs_from_slots(kb: KnowledgeBase, slot: SlotValue) -> plan.PlanInputs:
    """The understood answers (the raw text of one being re-asked is not an answer)."""
    answers_given = {name: slot(name) for name in plan.PLAN_SLOTS}
    return plan.PlanInputs(
        **{
            name: value if plan_inputs.is_valid_answer(kb, name, value) else None
            for name, value in answers_given.items()
        }
    )


def steps_from_slot(value: Any) -> List[plan.PlanStep]:
    """The plan kept in the conversation, as "number:key" strings in a list slot."""
    return [plan.PlanStep(int(number), key) for number, key in (item.split(":", 1) for item in value or [])]


def steps_slot_value(steps: Sequence[plan.PlanStep]) -> List[str]:
    return [f"{step.number}:{step.key}" for step in steps]
