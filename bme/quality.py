"""The knowledge base's promises, checked: complete references, fresh
evidence cards, patient wording that reads easily, card wordings that say enough to match and
cards on a drug or procedure that say what makes it unsafe.

``python -m bme.quality`` prints the report and exits 1 on any failure; it is
part of ``make validate``. Plain Python: no Rasa.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import date
from statistics import mean
from typing import Dict, List, Optional

import textstat

from bme.knowledge import CORE_FIELDS, KnowledgeBase, knowledge_base
from bme.retrieval import content_words
from bme.vocabulary import matcher_for

# Health-information guidance: patient texts at grade 6 to 8.
MAX_PATIENT_GRADE = 8.0
MAX_MEAN_PATIENT_GRADE = 7.0
# An urgent message must be read at a glance.
MAX_URGENT_GRADE = 6.0
DEFAULT_MAX_AGE_MONTHS = 12


@dataclass
class Report:
    failures: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    grades: Dict[str, float] = field(default_factory=dict)  # patient text name -> grade


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(text)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def check_references(kb: KnowledgeBase, report: Report) -> None:
    """Every field a reference lacks is one nobody has seen (the loader refuses the
    others): reported, so the record gets completed from its source, never from memory."""
    for ref in kb.references.values():
        if ref.not_seen:
            report.warnings.append(f"reference {ref.id}: {', '.join(ref.not_seen)} not seen yet")


def check_review_dates(kb: KnowledgeBase, report: Report, today: date, max_age_months: int) -> None:
    for fact in kb.facts.values():
        age = months_between(fact.evidence.reviewed, today)
        if age > max_age_months:
            reviewed = fact.evidence.reviewed
            report.failures.append(
                f"fact {fact.id}: last reviewed {reviewed} ({age} months ago; the limit is {max_age_months})"
            )
        elif fact.evidence.reviewed > today:
            report.failures.append(f"fact {fact.id}: reviewed on {fact.evidence.reviewed}, a date in the future")


def patient_texts(kb: KnowledgeBase) -> Dict[str, str]:
    """Every text a patient or caregiver reads in an answer or a decline, by name."""
    texts = {f"fact {fact.id}": fact.patient for fact in kb.facts.values()}
    texts.update({f"caveat {fact.id}": fact.caveat.patient for fact in kb.facts.values() if fact.caveat})
    declines = [card for card in kb.questions.values() if card.ask_instead]
    texts.update({f"card {card.id} ask_instead": card.ask_instead for card in declines})
    texts["message ask_elsewhere"] = kb.messages["ask_elsewhere"].text
    return texts


def check_readability(kb: KnowledgeBase, report: Report) -> None:
    for name, text in patient_texts(kb).items():
        report.grades[name] = grade(text)
        if report.grades[name] > MAX_PATIENT_GRADE:
            report.failures.append(f"{name}: grade {report.grades[name]:.1f} > {MAX_PATIENT_GRADE:g}")
    facts = [value for name, value in report.grades.items() if name.startswith("fact ")]
    if facts and mean(facts) > MAX_MEAN_PATIENT_GRADE:
        report.failures.append(f"patient fact texts: mean grade {mean(facts):.1f} > {MAX_MEAN_PATIENT_GRADE:g}")
    for flag in kb.red_flags:
        name = f"red flag {flag.id}"
        report.grades[name] = grade(flag.message.patient)
        if report.grades[name] > MAX_URGENT_GRADE:
            report.failures.append(f"{name}: grade {report.grades[name]:.1f} > {MAX_URGENT_GRADE:g}")


def check_wordings(kb: KnowledgeBase, report: Report) -> None:
    """A card wording left with one common word once the question words go ("what should my
    mother do now" -> "now") matches every message with that word in it: it must keep two
    words, or name a term of the vocabulary or the subject the card declines."""
    for card in kb.questions.values():
        named = {phrase.lower() for phrase in card.named_by}
        for wording in card.asked_as:
            words = content_words(matcher_for(kb).canonical_text(wording)).split()
            if len(words) < 2 and not any(names_a_term(kb, word) or word in named for word in words):
                report.failures.append(f"card {card.id}: wording {wording!r} keeps only {words}")


def names_a_term(kb: KnowledgeBase, word: str) -> bool:
    """A word canonical_text put for a vocabulary term: "condition_bmes", "body_site_knee"."""
    return any(word.startswith(f"{entity}_") for entity in kb.vocabulary)


def check_treatment_safety(kb: KnowledgeBase, report: Report) -> None:
    """A card whose question names a drug or procedure with a safety fact (topic side_effects)
    gives one of them: "do bisphosphonates work?" comes with the checks before a drip. Walking aids
    (treatments that are no subject of their own: crutches, a boot) are left out; their risk, a clot
    in a leg kept still, is on the cards about casts. Out-of-scope cards give no facts, only the
    subject they decline ("vitamin D deficiency without a bone problem")."""
    safety: Dict[str, set] = {}
    for fact in kb.facts.values():
        if "side_effects" in fact.topics:
            for treatment in fact.treatments:
                safety.setdefault(treatment, set()).add(fact.id)
    for card in (card for card in kb.questions.values() if not card.out_of_scope):
        for treatment in dict.fromkeys(matcher_for(kb).values(card.question, "treatment")):
            own_subject = kb.vocabulary["treatment"][treatment].own_subject
            if own_subject and treatment in safety and not safety[treatment] & set(card.facts):
                report.failures.append(
                    f"card {card.id}: names {treatment} but gives none of {sorted(safety[treatment])}"
                )


def check(kb: KnowledgeBase, today: date, max_age_months: int = DEFAULT_MAX_AGE_MONTHS) -> Report:
    report = Report()
    check_references(kb, report)
    check_review_dates(kb, report, today, max_age_months)
    check_readability(kb, report)
    check_wordings(kb, report)
    check_treatment_safety(kb, report)
    return report


def summary(kb: KnowledgeBase, report: Report) -> List[str]:
    facts = [value for name, value in report.grades.items() if name.startswith("fact ")]
    urgent = [value for name, value in report.grades.items() if name.startswith("red flag ")]
    lines = [
        f"{len(kb.references)} references, {len(kb.facts)} facts, {len(kb.red_flags)} red flags.",
        f"Patient fact texts: Flesch-Kincaid grade mean {mean(facts):.1f}, max {max(facts):.1f}"
        f" (limits: mean {MAX_MEAN_PATIENT_GRADE:g}, each {MAX_PATIENT_GRADE:g}).",
    ]
    if urgent:
        lines.append(f"Urgent red-flag messages: grade max {max(urgent):.1f} (limit {MAX_URGENT_GRADE:g}).")
    cited = sum(not set(ref.not_seen) & set(CORE_FIELDS) for ref in kb.references.values())
    lines.append(f"References with authors, title and year seen: {cited} of {len(kb.references)}.")
    lines += [f"warning: {line}" for line in report.warnings]
    lines += [f"FAIL: {line}" for line in report.failures]
    return lines


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-age-months",
        type=int,
        default=DEFAULT_MAX_AGE_MONTHS,
        help="fail on a fact reviewed longer ago than this (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    kb = knowledge_base()
    report = check(kb, date.today(), args.max_age_months)
    print("\n".join(summary(kb, report)))
    if report.failures:
        print(f"{len(report.failures)} knowledge-base problem(s); docs/KNOWLEDGE.md explains each check.")
        return 1
    print("The knowledge base checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
