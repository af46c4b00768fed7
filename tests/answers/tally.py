"""Totals of the last end-to-end runs of the real questions, from the replies `make test-answers`
keeps (reports/answers-SPLIT.json): in scope answered and out of scope declined, per split and over
all. Each reply is scored again against today's labels and knowledge base, so a corrected label
counts without a new run. It also counts the clinical answers (those with a sources line, red
flags' urgent messages left out) and how many of them cite a source inline and carry the
disclaimer. `--against DIR`, a reports folder kept from an earlier run, also lists the questions
whose result changed since.

    .venv/bin/python -m tests.answers.tally [all | dev,unseen47] [--against reports-before]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Dict, List

from bme.knowledge import KnowledgeBase, knowledge_base
from tests.answers.scoring import REPORTS, all_questions, passed, replies_file, split_names

INLINE_CITATION = re.compile(r"\[\[\d+\]\]\(https?://")


def replies_of(questions: Dict[str, dict], split: str, reports: Path) -> Dict[str, List[str]]:
    """Question id -> the messages replied, for the questions still in the set, from a split's last
    run in ``reports``; empty when it has not run."""
    path = replies_file(split, reports)
    if not path.exists():
        return {}
    replies = json.loads(path.read_text(encoding="utf-8"))
    return {key: reply["messages"] for key, reply in replies.items() if key in questions}


def results_of(kb: KnowledgeBase, questions: Dict[str, dict], split: str, reports: Path) -> Dict[str, bool]:
    """Question id -> passed, scored by today's labels (see replies_of)."""
    return scored(kb, questions, replies_of(questions, split, reports))


def scored(kb: KnowledgeBase, questions: Dict[str, dict], replies: Dict[str, List[str]]) -> Dict[str, bool]:
    return {key: passed(kb, questions[key], "\n".join(messages)) for key, messages in replies.items()}


def cited_answers(kb: KnowledgeBase, replies: Dict[str, List[str]]) -> List[int]:
    """Clinical answers (a message with a sources line that is no red flag's urgent message, which
    has no disclaimer), and those of them that cite a source inline and carry a disclaimer."""
    sources_line = kb.answer_wording.sources_line.split("{")[0]
    disclaimers = (kb.disclaimers.clinical, kb.disclaimers.professional)
    urgent = tuple(text for flag in kb.red_flags for text in (flag.message.patient, flag.message.professional))
    clinical = [
        message
        for messages in replies.values()
        for message in messages
        if sources_line in message and not message.startswith(urgent)
    ]
    cited = [
        message
        for message in clinical
        if INLINE_CITATION.search(message) and any(disclaimer in message for disclaimer in disclaimers)
    ]
    return [len(clinical), len(cited)]


def counts(questions: Dict[str, dict], results: Dict[str, bool]) -> List[int]:
    """In scope answered, in scope, out of scope declined, out of scope."""
    totals = [0, 0, 0, 0]
    for key, answered in results.items():
        column = 0 if questions[key]["in_scope"] else 2
        totals[column] += answered
        totals[column + 1] += 1
    return totals


def line(name: str, totals: List[int]) -> str:
    answered, in_scope, declined, out_of_scope = totals
    return (
        f"{name}: {answered}/{in_scope} ({answered / max(in_scope, 1):.0%}) in scope answered, "
        f"{declined}/{out_of_scope} ({declined / max(out_of_scope, 1):.0%}) out of scope declined"
    )


def changes(questions: Dict[str, dict], before: Dict[str, bool], now: Dict[str, bool]) -> List[str]:
    return [
        f"{'won ' if now[key] else 'lost'} {key} ({questions[key]['split']}, "
        f"{'in scope' if questions[key]['in_scope'] else 'out of scope'})"
        for key in sorted(set(before) & set(now))
        if before[key] != now[key]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("splits", nargs="?", default="all", help="all (default), a split, or splits joined by commas")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="the run's reports folder")
    parser.add_argument("--against", type=Path, help="a reports folder of an earlier run to compare with")
    options = parser.parse_args()
    kb = knowledge_base()
    questions = {question["id"]: question for question in all_questions()}
    overall = [0, 0, 0, 0]
    sourced = [0, 0]  # clinical answers, those cited and with the disclaimer
    now = {}  # question id -> passed, over the splits run
    try:
        splits = split_names(options.splits)
    except ValueError as error:
        parser.error(str(error))
    ran = []
    for split in splits:
        replies = replies_of(questions, split, options.reports)
        if replies:
            ran.append(split)
            results = scored(kb, questions, replies)
            now.update(results)
            totals = counts(questions, results)
            overall = [sum(pair) for pair in zip(overall, totals, strict=True)]
            sourced = [sum(pair) for pair in zip(sourced, cited_answers(kb, replies), strict=True)]
            print(line(split, totals))
    print(line(f"all {len(ran)} splits run", overall))
    print(f"{sourced[1]}/{sourced[0]} clinical answers cite a source inline and carry the disclaimer")
    if options.against:
        before = {key: ok for split in ran for key, ok in results_of(kb, questions, split, options.against).items()}
        found = changes(questions, before, now)
        print("\n".join(found + [f"{len(found)} results changed since {options.against}"]))


if __name__ == "__main__":
    main()
