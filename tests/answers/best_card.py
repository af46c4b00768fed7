"""The card path's quick check: is the best-ranked card right, and how long does ranking take?

Scores every real question of tests/answers/real_questions.yml by the best card alone, without
the NLU, the red-flag rules or the decision thresholds: in scope, the card is expected or holds an
expected fact; out of scope, it is an out-of-scope card or scores below the offer threshold. It
runs in about a minute with no server, to compare weights before the end-to-end run
(`make test-answers`), which is the measure that counts. Also prints the time one ranking takes.

    .venv/bin/python -m tests.answers.best_card [--lexical-weight 0.6] [--splits dev holdout ...]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict

import yaml

from bme import retrieval
from bme.knowledge import QuestionCard, knowledge_base
from bme.questions import OFFER_AT, index_for
from tests.answers.scoring import QUESTIONS_FILE


def right(question: dict, card: QuestionCard | None, score: float) -> bool:
    if question["in_scope"]:
        expected = set(question.get("expects") or [])
        return card is not None and (card.id in expected or bool(expected & set(card.facts)))
    return card is None or card.out_of_scope or score < OFFER_AT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lexical-weight", type=float, default=retrieval.LEXICAL_WEIGHT)
    parser.add_argument("--splits", nargs="*", help="default: every split")
    options = parser.parse_args()
    retrieval.LEXICAL_WEIGHT, retrieval.MEANING_WEIGHT = options.lexical_weight, 1 - options.lexical_weight
    kb = knowledge_base()
    index = index_for(kb)
    questions = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))["questions"]
    counts = defaultdict(lambda: [0, 0, 0, 0])  # split -> in scope right, total, out of scope right, total
    seconds = []
    for question in questions:
        if options.splits and question["split"] not in options.splits:
            continue
        start = time.perf_counter()
        ranked = index.rank(question["text"], limit=len(kb.questions))
        seconds.append(time.perf_counter() - start)
        best = ranked[0] if ranked else None
        column = 0 if question["in_scope"] else 2
        counts[question["split"]][column] += right(question, best and best.card, best.score if best else 0.0)
        counts[question["split"]][column + 1] += 1
    print(f"lexical weight {retrieval.LEXICAL_WEIGHT}, meaning weight {retrieval.MEANING_WEIGHT:.2f}")
    for split, (answered, in_scope, declined, out_of_scope) in sorted(counts.items()):
        print(f"{split}: best card right {answered}/{in_scope} in scope, {declined}/{out_of_scope} out of scope")
    seconds.sort()
    print(
        f"ranking {len(seconds)} questions: median {statistics.median(seconds) * 1000:.1f} ms, "
        f"p90 {seconds[int(0.9 * len(seconds))] * 1000:.1f} ms, max {seconds[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
