"""Turn the plan's steps into a cited message. Plain Python, no Rasa import.

The words come from ``knowledge/plan.yml``; only the Markdown is added here.
"""

from __future__ import annotations

from itertools import groupby
from typing import List, Optional, Sequence

from bme.answers import Answer, Citations, caveat_notes, closing_lines, evidence_card, wording
from bme.knowledge import KnowledgeBase
from bme.plan import PlanInputs, PlanStep, is_urgent


def cause_label(kb: KnowledgeBase, etiology: str) -> str:
    return kb.plan.summary.causes.dict().get(etiology) or kb.label("condition", etiology)


def describe_inputs(kb: KnowledgeBase, inputs: PlanInputs) -> str:
    """A one-line summary of what the plan was built from."""
    words = kb.plan.summary
    parts = []
    if inputs.body_site:
        parts.append(kb.label("body_site", inputs.body_site))
    if inputs.etiology:
        parts.append(cause_label(kb, inputs.etiology))
    if inputs.mri_confirmed is not None:
        parts.append(words.mri_confirmed if inputs.mri_confirmed else words.no_mri)
    if inputs.pain_severity is not None:
        parts.append(words.pain_severity.format(score=f"{inputs.pain_severity:g}"))
    if inputs.pain_duration_weeks is not None:
        parts.append(words.pain_duration.format(weeks=f"{inputs.pain_duration_weeks:g}"))
    if inputs.diabetes:
        parts.append(words.diabetes)
    if inputs.pregnancy in words.pregnancy:
        parts.append(words.pregnancy[inputs.pregnancy])
    if inputs.kidney_problems:
        parts.append(words.kidney_problems)
    if inputs.cancer_history:
        parts.append(words.cancer_history)
    return ", ".join(parts)


def _title(kb: KnowledgeBase, inputs: PlanInputs) -> str:
    summary = describe_inputs(kb, inputs)
    return kb.plan.title_with_summary.format(summary=summary) if summary else kb.plan.title


def _heading(kb: KnowledgeBase, step: PlanStep) -> str:
    if step.key == "urgent_cord_compression":
        return kb.plan.urgent_heading
    return kb.plan.step_heading.format(number=step.number, heading=kb.plan.headings[step.number])


def _step_lines(kb: KnowledgeBase, step: PlanStep, audience: Optional[str], citations: Citations) -> str:
    text = kb.plan.steps[step.key]
    facts = [kb.facts[fact_id] for fact_id in text.facts]
    if text.because:  # an option not proposed: the reason, cited
        return f"- _{text.title}._ {text.because} {citations.mark([ref for fact in facts for ref in fact.references])}"
    body = " ".join(f"{wording(fact, audience)} {citations.mark(fact.references)}" for fact in facts)
    return f"- _{text.title}._ {body}"


def plan_lines(
    kb: KnowledgeBase, steps: Sequence[PlanStep], inputs: PlanInputs, audience: Optional[str], citations: Citations
) -> List[str]:
    """The plan's title, its steps (cited in ``citations``) and caveats, as Markdown lines;
    the chat adds what to ask next and the sources line, the printable page its own (bme/plan_page.py)."""
    lines = [f"**{_title(kb, inputs)}**"]
    for _, group in groupby(steps, key=lambda step: step.number):
        group = list(group)
        lines.append(f"**{_heading(kb, group[0])}**")
        lines += [_step_lines(kb, step, audience, citations) for step in group]
    facts = [kb.facts[f] for step in steps for f in kb.plan.steps[step.key].facts]
    return lines + caveat_notes(kb, facts, audience)


def render_plan(kb: KnowledgeBase, steps: Sequence[PlanStep], inputs: PlanInputs, audience: Optional[str]) -> Answer:
    """The whole plan: numbered steps, citations, caveats and disclaimers."""
    citations = Citations(kb)
    lines = plan_lines(kb, steps, inputs, audience, citations)
    facts = [kb.facts[f] for step in steps for f in kb.plan.steps[step.key].facts]
    if not is_urgent(inputs):
        lines.append(kb.plan.details_hint)
    lines += closing_lines(kb, citations, audience)
    return Answer(text="\n".join(lines), found=True, fact_ids=[f.id for f in facts], references=list(citations.order))


def explain_step(
    kb: KnowledgeBase, steps: Sequence[PlanStep], number: int, audience: Optional[str]
) -> Optional[Answer]:
    """Everything the knowledge base says behind one step, with its evidence cards."""
    chosen = [step for step in steps if step.number == number]
    if not chosen:
        return None
    citations = Citations(kb)
    lines = [f"**{_heading(kb, chosen[0])}**"]
    fact_ids: List[str] = []
    for step in chosen:
        for fact in (kb.facts[f] for f in kb.plan.steps[step.key].facts):
            fact_ids.append(fact.id)
            lines.append(f"- {wording(fact, audience)} {citations.mark(fact.references)}")
            lines.append(f"  {evidence_card(kb, fact, audience, citations)}")
    lines += closing_lines(kb, citations, audience)
    return Answer(text="\n".join(lines), found=True, fact_ids=fact_ids, references=list(citations.order))
