"""The card path's quick checks: is the best-ranked card right, or the card decision, and how long
does ranking take?

Scores every real question of tests/answers/real_questions.yml without the NLU, the red-flag rules
or a server, in about a minute, to compare changes before the end-to-end run (`make test-answers`),
which is the measure that counts. In scope, the card is expected or holds an expected fact; out of
scope, the reply is no card.

- By default, the best card alone (no decision thresholds): out of scope, it is an out-of-scope
  card or scores below the offer threshold. Also prints the time one ranking takes.
- `--decision`: the decision the actions make (bme/questions.py decide_for_message), as for a
  first message: a card, cards to offer, a subject declined, or nothing covered. Out of scope, no
  card is answered. `--save FILE` keeps each question's decision; `--compare FILE` lists the
  questions whose decision changed since a saved run, each won, lost or the same.

    .venv/bin/python -m tests.answers.best_card [--lexical-weight 0.6] [--splits dev holdout ...]
    .venv/bin/python -m tests.answers.best_card --decision [--save before.json | --compare before.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional

from bme import retrieval
from bme.knowledge import KnowledgeBase, QuestionCard, knowledge_base
from bme.questions import OFFER_AT, Decision, decide_for_message, index_for
from tests.answers.scoring import all_questions


def right_card(question: dict, card: Optional[QuestionCard]) -> bool:
    """An in-scope question's card is expected or holds an expected fact."""
    expected = set(question.get("expects") or [])
    return card is not None and (card.id in expected or bool(expected & set(card.facts)))


def right(question: dict, card: Optional[QuestionCard], score: float) -> bool:
    if question["in_scope"]:
        return right_card(question, card)
    return card is None or card.out_of_scope or score < OFFER_AT


def decision_right(kb: KnowledgeBase, question: dict, decision: str) -> bool:
    """Whether a decision, as summary writes it, is right for ``question``: a saved one is judged
    by today's cards, so a change to a card's facts counts on both sides of --compare."""
    answered = [part[len("card:") :] for part in decision.split("|") if part.startswith("card:")]
    if not question["in_scope"]:
        return not answered
    return bool(answered) and right_card(question, kb.questions.get(answered[0]))


def summary(decision: Decision) -> str:
    """One line per decision, to save and compare: "card:return_to_running|choices:...", "declined:gout"."""
    parts = [
        f"card:{decision.card.id}" if decision.card else "",
        f"declined:{decision.out_of_scope.id}" if decision.out_of_scope else "",
        "unrelated" if decision.unrelated else "",
        f"choices:{','.join(card.id for card in decision.choices)}" if decision.choices else "",
    ]
    return "|".join(part for part in parts if part) or "none"


def best_card_right(kb: KnowledgeBase, question: dict, seconds: List[float]) -> bool:
    start = time.perf_counter()
    ranked = index_for(kb).rank(question["text"], limit=len(kb.questions))
    seconds.append(time.perf_counter() - start)
    best = ranked[0] if ranked else None
    return right(question, best and best.card, best.score if best else 0.0)


def compare(kb: KnowledgeBase, questions: Dict[str, dict], before: Dict[str, str], now: Dict[str, str]) -> None:
    """The decisions changed since a saved run, each marked won (wrong before, right now), lost, or
    neither (a different choice, as right or wrong as before)."""
    changed = [key for key in now if key in before and before[key] != now[key]]
    won = lost = 0
    for key in changed:
        was, is_now = (decision_right(kb, questions[key], decision) for decision in (before[key], now[key]))
        won, lost = won + (is_now and not was), lost + (was and not is_now)
        mark = "won " if is_now > was else "lost" if was > is_now else "same"
        scope = "in scope" if questions[key]["in_scope"] else "out of scope"
        print(f"{mark} {key} ({questions[key]['split']}, {scope}): {before[key]} -> {now[key]}")
    print(f"{len(changed)} decisions changed since the saved run: {won} won, {lost} lost")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lexical-weight", type=float, default=retrieval.LEXICAL_WEIGHT)
    parser.add_argument("--splits", nargs="*", help="default: every split")
    parser.add_argument("--decision", action="store_true", help="score the card decision, not the best card")
    parser.add_argument("--save", type=Path, help="with --decision: keep each question's decision in this file")
    parser.add_argument("--compare", type=Path, help="with --decision: list the decisions changed since --save")
    options = parser.parse_args()
    retrieval.LEXICAL_WEIGHT, retrieval.MEANING_WEIGHT = options.lexical_weight, 1 - options.lexical_weight
    kb = knowledge_base()
    questions = all_questions()
    questions = [question for question in questions if not options.splits or question["split"] in options.splits]
    counts = defaultdict(lambda: [0, 0, 0, 0])  # split -> in scope right, total, out of scope right, total
    seconds: List[float] = []
    decisions: Dict[str, str] = {}
    for question in questions:
        if options.decision:
            decisions[question["id"]] = summary(decide_for_message(kb, question["text"]))
            is_right = decision_right(kb, question, decisions[question["id"]])
        else:
            is_right = best_card_right(kb, question, seconds)
        column = 0 if question["in_scope"] else 2
        counts[question["split"]][column] += is_right
        counts[question["split"]][column + 1] += 1
    print(f"lexical weight {retrieval.LEXICAL_WEIGHT}, meaning weight {retrieval.MEANING_WEIGHT:.2f}")
    measured = "card decision" if options.decision else "best card"
    for split, (answered, in_scope, declined, out_of_scope) in sorted(counts.items()):
        print(f"{split}: {measured} right {answered}/{in_scope} in scope, {declined}/{out_of_scope} out of scope")
    totals = [sum(column) for column in zip(*counts.values(), strict=True)]
    print(f"all: {measured} right {totals[0]}/{totals[1]} in scope, {totals[2]}/{totals[3]} out of scope")
    if options.save:
        options.save.write_text(json.dumps(decisions, indent=1), encoding="utf-8")
    if options.compare:
        by_id = {question["id"]: question for question in questions}
        compare(kb, by_id, json.loads(options.compare.read_text(encoding="utf-8")), decisions)
    if seconds:
        seconds.sort()
        print(
            f"ranking {len(seconds)} questions: median {statistics.median(seconds) * 1000:.1f} ms, "
            f"p90 {seconds[int(0.9 * len(seconds))] * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
