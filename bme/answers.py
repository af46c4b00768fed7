"""Pick knowledge-base facts for a question and compose a cited answer.

Plain Python, no Rasa import. The answer text is channel-neutral Markdown
(bold, bullets); the channel connectors adapt it. The words come from the
knowledge base (``knowledge/messages.yml``); only the Markdown is added here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Dict, Iterable, List, Optional, Sequence

from bme.knowledge import Fact, KnowledgeBase, Message, QuestionCard, RedFlag

MAX_FACTS_PER_ANSWER = 3
PROFESSIONAL = "professional"
ENTITY_FIELDS = (("treatment", "treatments"), ("condition", "conditions"))


@dataclass(frozen=True)
class Context:
    """What a question is about; every field holds a canonical id or None."""

    treatment: Optional[str] = None
    condition: Optional[str] = None
    body_site: Optional[str] = None

    def named(self) -> Dict[str, str]:
        return {name: value for name, value in vars(self).items() if value}


@dataclass
class Answer:
    text: str
    found: bool
    fact_ids: List[str] = field(default_factory=list)
    references: List[str] = field(default_factory=list)  # ids, in citation order
    suggestions: List[str] = field(default_factory=list)  # topic ids to offer as buttons


def wording(fact: Fact, audience: Optional[str]) -> str:
    return fact.professional if audience == PROFESSIONAL else fact.patient


def _about(fact: Fact, context: Context) -> bool:
    return all(
        getattr(context, name) is None or getattr(context, name) in getattr(fact, plural)
        for name, plural in ENTITY_FIELDS
    )


def _topic_facts(kb: KnowledgeBase, topics: Iterable[str]) -> List[Fact]:
    wanted = set(topics)
    return [fact for fact in kb.facts.values() if wanted.intersection(fact.topics)]


def _ranked(facts: List[Fact], context: Context) -> List[Fact]:
    """The facts most about what was asked: those that put the asked treatment
    or condition first and name few others, then those about the user's body
    site, then those marked general (what causes a stress fracture, before
    what a sacral one feels like), then the knowledge base's order."""

    def focus(fact: Fact) -> tuple:
        leads = all(
            getattr(fact, plural)[:1] == [getattr(context, name)]
            for name, plural in ENTITY_FIELDS
            if getattr(context, name)
        )
        breadth = len(fact.treatments) + len(fact.conditions) if context.treatment or context.condition else 0
        on_site = bool(context.body_site) and context.body_site in fact.body_sites
        return (not leads, breadth, not on_site, not fact.general)

    return sorted(facts, key=focus)[:MAX_FACTS_PER_ANSWER]


def select_facts(kb: KnowledgeBase, topic: str, explicit: Context, carried: Context) -> List[Fact]:
    """Facts that answer ``topic`` for what the user named now (``explicit``)
    or earlier in the conversation (``carried``).

    Context carried over from earlier turns is dropped when it finds nothing,
    so "what causes it?" after a question on iloprost still gets an answer;
    what the user named in this message is never dropped: if the knowledge
    base has nothing on it, the answer says so instead of changing subject.
    """
    merged = Context(**{**carried.named(), **explicit.named()})
    candidates = _topic_facts(kb, [topic])
    if explicit.treatment:
        # By id: comparing pydantic models compares every field of both.
        chosen = {fact.id for fact in candidates}
        candidates += [fact for fact in _topic_facts(kb, kb.topics[topic].related) if fact.id not in chosen]
    attempts = [merged]
    for name in ("condition", "treatment"):
        if getattr(merged, name) and not getattr(explicit, name):
            attempts.append(replace(attempts[-1], **{name: None}))
    for context in attempts:
        facts = [fact for fact in candidates if _about(fact, context)]
        if facts and (context.treatment or context.condition):
            return _ranked(facts, context)
        if facts:
            general = [fact for fact in facts if fact.general]
            return _ranked(general or facts, context)
    return []


class Citations:
    """Numbers references in order of first use: [1], [2], ... Each number
    is a Markdown link to the work (DOI, PubMed or the guideline's page);
    channels/formatting.py turns it into each channel's link."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.order: List[str] = []

    def number(self, ref: str) -> str:
        return f"[[{self.order.index(ref) + 1}]]({self.kb.references[ref].link})"

    def mark(self, reference_ids: Sequence[str]) -> str:
        for ref in reference_ids:
            if ref not in self.order:
                self.order.append(ref)
        return "".join(self.number(ref) for ref in dict.fromkeys(reference_ids))

    def footer(self) -> str:
        sources = "; ".join(f"{self.number(ref)} {self.kb.references[ref].short}" for ref in self.order)
        return self.kb.answer_wording.sources_line.format(sources=sources)


def caveat_text(fact: Fact, audience: Optional[str]) -> Optional[str]:
    if fact.caveat is None:
        return None
    return fact.caveat.professional if audience == PROFESSIONAL else fact.caveat.patient


def caveat_notes(kb: KnowledgeBase, facts: Iterable[Fact], audience: Optional[str]) -> List[str]:
    """One italic note per distinct caveat, in the facts' order."""
    caveats = dict.fromkeys(filter(None, (caveat_text(fact, audience) for fact in facts)))
    return [f"_{kb.answer_wording.note.format(caveat=caveat)}_" for caveat in caveats]


def evidence_kind(kb: KnowledgeBase, fact: Fact) -> str:
    return kb.answer_wording.evidence_kinds[fact.evidence.kind]


def point(kb: KnowledgeBase, fact: Fact, audience: Optional[str], citations: Citations) -> str:
    """One fact as the audience reads it, cited; clinicians also see the kind of evidence."""
    text = f"{wording(fact, audience)} {citations.mark(fact.references)}"
    return f"{text} _({evidence_kind(kb, fact)})_" if audience == PROFESSIONAL else text


def closing_lines(kb: KnowledgeBase, citations: Citations, audience: Optional[str]) -> List[str]:
    """What every clinical answer ends with: its sources and the audience's disclaimer."""
    return [citations.footer(), f"_{kb.disclaimers.for_audience(audience)}_"]


def _subject(kb: KnowledgeBase, context: Context) -> str:
    """The treatment and condition asked about, by label (the body site only ranks facts)."""
    return ", ".join(kb.label(name, value) for name, value in context.named().items() if name != "body_site")


def heading(kb: KnowledgeBase, topic: str, context: Context) -> str:
    title = kb.topics[topic].label
    subject = _subject(kb, context)
    if subject:
        title = kb.answer_wording.topic_heading.format(topic=title, subject=subject)
    return f"**{title}**"


def compose(kb: KnowledgeBase, facts: Sequence[Fact], audience: Optional[str], title: str) -> Answer:
    """Bullets with inline citations, caveats, a source line and the disclaimer."""
    citations = Citations(kb)
    lines = [title]
    lines += [f"- {point(kb, fact, audience, citations)}" for fact in facts]
    lines += caveat_notes(kb, facts, audience)
    lines += closing_lines(kb, citations, audience)
    return Answer(
        text="\n".join(lines),
        found=True,
        fact_ids=[fact.id for fact in facts],
        references=list(citations.order),
    )


def topics_about(kb: KnowledgeBase, context: Context) -> List[str]:
    """Topics the knowledge base can answer for the named treatment/condition."""
    return [topic for topic in kb.topics if any(_about(f, context) for f in _topic_facts(kb, [topic]))]


def no_answer(kb: KnowledgeBase, topic: Optional[str], explicit: Context) -> Answer:
    words = kb.answer_wording
    subject = _subject(kb, explicit)
    question = kb.topics[topic].label.lower() if topic else words.unknown_question
    if subject:
        question = words.question_on_subject.format(topic=question, subject=subject)
    lines = [f"{kb.disclaimers.no_answer} {words.asked_about.format(question=question)}"]
    suggestions = topics_about(kb, replace(explicit, body_site=None)) if subject else list(kb.topics)
    if suggestions:
        topics = ", ".join(kb.topics[name].label.lower() for name in suggestions)
        if subject:
            lines.append(words.can_tell_about.format(subject=subject, topics=topics))
        else:
            lines.append(words.can_tell.format(topics=topics))
    return Answer(text="\n".join(lines), found=False, suggestions=suggestions)


def answer_question(
    kb: KnowledgeBase, topic: str, explicit: Context, carried: Context, audience: Optional[str]
) -> Answer:
    facts = select_facts(kb, topic, explicit, carried)
    if not facts:
        return no_answer(kb, topic, explicit)
    shown = Context(**{**carried.named(), **explicit.named()})
    shown = Context(
        treatment=shown.treatment if any(shown.treatment in f.treatments for f in facts) else None,
        condition=shown.condition if any(shown.condition in f.conditions for f in facts) else None,
    )
    return compose(kb, facts, audience, heading(kb, topic, shown))


def list_sources(kb: KnowledgeBase, reference_ids: Sequence[str]) -> str:
    """Full references of the last answer, numbered as they were cited, with their links."""
    words = kb.answer_wording
    if not reference_ids:
        return words.no_sources_yet
    citations = Citations(kb)
    citations.mark(reference_ids)
    lines = [words.sources_heading]
    lines += [
        f"{citations.number(ref)} {kb.references[ref].citation} {kb.references[ref].link}" for ref in reference_ids
    ]
    return "\n".join(lines)


def with_caveat(text: str, fact: Fact, audience: Optional[str]) -> str:
    caveat = caveat_text(fact, audience)
    return f"{text} {caveat}" if caveat else text


def evidence_card(kb: KnowledgeBase, fact: Fact, audience: Optional[str], citations: Citations) -> str:
    card = kb.answer_wording.evidence_card.format(
        citations=citations.mark(fact.references),
        kind=evidence_kind(kb, fact),
        strength=fact.evidence.strength,
        reviewed=fact.evidence.reviewed.isoformat(),
    )
    return with_caveat(card, fact, audience)


def explain_evidence(kb: KnowledgeBase, fact_ids: Sequence[str], audience: Optional[str]) -> str:
    """Why the last answer said what it said: the evidence card of each fact."""
    words = kb.answer_wording
    if not fact_ids:
        return words.nothing_to_explain_yet
    citations = Citations(kb)
    lines = [words.explanation_heading]
    for fact in (kb.facts[fact_id] for fact_id in fact_ids if fact_id in kb.facts):
        lines.append(f"- {evidence_card(kb, fact, audience, citations)}")
    lines.append(citations.footer())
    return "\n".join(lines)


def quote_user_text(text: str, limit: int = 80) -> str:
    """User text shown back: shortened and HTML-escaped so markup is never run."""
    compact = " ".join((text or "").split())
    if len(compact) > limit:
        compact = compact[: limit - 1] + "…"
    return html.escape(compact, quote=False)


def worded_for(message: Message, audience: Optional[str]) -> str:
    """A message's text, in the professionals' wording when it has one."""
    return message.professional if audience == PROFESSIONAL and message.professional else message.text


def red_flag_message(kb: KnowledgeBase, flag: RedFlag, audience: Optional[str]) -> str:
    """The urgent-care message, cited, in the audience's wording."""
    citations = Citations(kb)
    text = flag.message.professional if audience == PROFESSIONAL else flag.message.patient
    return "\n".join([f"{text} {citations.mark(flag.references)}", citations.footer()])


def answer_card(kb: KnowledgeBase, card: QuestionCard, audience: Optional[str]) -> Answer:
    """A question card's reply: the question, its direct answer, then its facts, cited."""
    lead = card.answer.professional if audience == PROFESSIONAL else card.answer.patient
    facts = [kb.facts[fact_id] for fact_id in card.facts]
    return compose(kb, facts, audience, f"**{card.question}**\n{lead}")


def not_covered(kb: KnowledgeBase, subject: QuestionCard, audience: Optional[str]) -> str:
    """The reply declining an out-of-scope card's subject."""
    return with_who_can_help(
        kb.messages["not_covered"].text.format(subject=subject.question), subject.ask_instead, audience
    )


def out_of_scope(kb: KnowledgeBase, audience: Optional[str]) -> str:
    """The reply to a message about nothing the assistant covers."""
    return with_who_can_help(kb.messages["out_of_scope"].text, kb.messages["ask_elsewhere"].text, audience)


def with_who_can_help(decline: str, who_can_help: str, audience: Optional[str]) -> str:
    """A decline is no dead end for a patient: it ends with who can help instead."""
    return decline if audience == PROFESSIONAL else f"{decline} {who_can_help}"
