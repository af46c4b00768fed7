"""Turn the plan's steps into a cited message. Plain Python, no Rasa import."""

from __future__ import annotations

from itertools import groupby
from typing import List, Optional, Sequence

from bme.answers import EVIDENCE_MEANING, Answer, Citations, wording
from bme.knowledge import KnowledgeBase
from bme.plan import TRAUMATIC, UNKNOWN, PlanInputs, PlanStep, is_urgent

ETIOLOGY_LABELS = {TRAUMATIC: "after an injury", UNKNOWN: "cause not yet known"}


def describe_inputs(kb: KnowledgeBase, inputs: PlanInputs) -> str:
    """A one-line summary of what the plan was built from."""
    parts = []
    if inputs.body_site:
        parts.append(kb.label("body_site", inputs.body_site))
    if inputs.etiology:
        parts.append(ETIOLOGY_LABELS.get(inputs.etiology) or kb.label("condition", inputs.etiology))
    if inputs.mri_confirmed is not None:
        parts.append("MRI confirmed" if inputs.mri_confirmed else "no MRI yet")
    if inputs.pain_severity is not None:
        parts.append(f"pain {inputs.pain_severity:g}/10")
    if inputs.pain_duration_weeks is not None:
        parts.append(f"for about {inputs.pain_duration_weeks:g} weeks")
    if inputs.diabetes:
        parts.append("diabetes")
    return ", ".join(parts)


def _heading(kb: KnowledgeBase, step: PlanStep) -> str:
    if step.key == "urgent_cord_compression":
        return kb.plan.urgent_heading
    return f"Step {step.number}: {kb.plan.headings[step.number]}"


def _step_lines(kb: KnowledgeBase, step: PlanStep, audience: Optional[str], citations: Citations) -> str:
    text = kb.plan.steps[step.key]
    facts = [kb.facts[fact_id] for fact_id in text.facts]
    body = " ".join(f"{wording(fact, audience)} {citations.mark(fact.references)}" for fact in facts)
    return f"- _{text.title}._ {body}"


def render_plan(kb: KnowledgeBase, steps: Sequence[PlanStep], inputs: PlanInputs, audience: Optional[str]) -> Answer:
    """The whole plan: numbered steps, citations, caveats and disclaimers."""
    citations = Citations()
    summary = describe_inputs(kb, inputs)
    lines = [f"**Your plan{f' ({summary})' if summary else ''}**"]
    for _, group in groupby(steps, key=lambda step: step.number):
        group = list(group)
        lines.append(f"**{_heading(kb, group[0])}**")
        lines += [_step_lines(kb, step, audience, citations) for step in group]
    facts = [kb.facts[f] for step in steps for f in kb.plan.steps[step.key].facts]
    lines += [f"_Note: {caveat}_" for caveat in dict.fromkeys(f.caveat for f in facts if f.caveat)]
    if not is_urgent(inputs):
        lines.append('Ask me "tell me more about step 3" (or any step) for details.')
    lines += [citations.footer(kb), f"_{kb.disclaimers.clinical}_"]
    return Answer(text="\n".join(lines), found=True, fact_ids=[f.id for f in facts], references=list(citations.order))


def explain_step(
    kb: KnowledgeBase, steps: Sequence[PlanStep], number: int, audience: Optional[str]
) -> Optional[Answer]:
    """Everything the knowledge base says behind one step, with evidence strength."""
    chosen = [step for step in steps if step.number == number]
    if not chosen:
        return None
    citations = Citations()
    lines = [f"**{_heading(kb, chosen[0])}**"]
    fact_ids: List[str] = []
    for step in chosen:
        for fact in (kb.facts[f] for f in kb.plan.steps[step.key].facts):
            fact_ids.append(fact.id)
            lines.append(f"- {wording(fact, audience)} {citations.mark(fact.references)}")
            lines.append(f"  Evidence: {EVIDENCE_MEANING[fact.evidence]}." + (f" {fact.caveat}" if fact.caveat else ""))
    lines += [citations.footer(kb), f"_{kb.disclaimers.clinical}_"]
    return Answer(text="\n".join(lines), found=True, fact_ids=fact_ids, references=list(citations.order))
