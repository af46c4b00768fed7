"""Score the assistant's replies to real questions (tests/answers/real_questions.yml).

A question is labelled with what a good answer must use (`expects`: question card or
fact ids). An in-scope question counts as answered when the reply contains the
direct answer of an expected card or the text of an expected fact, in either
audience's wording; an out-of-scope one when the reply is the out-of-scope reply.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

from bme.knowledge import KnowledgeBase

QUESTIONS_FILE = Path(__file__).with_name("real_questions.yml")
# Where `make test-answers` writes each split's report and replies (see report_file, replies_file).
REPORTS = Path("reports")
# How much of a failed reply the report shows: the start of its first messages.
REPLY_SHOWN = 200
MESSAGES_SHOWN = 3


@dataclass
class Result:
    question: dict
    messages: List[str]  # the assistant's messages, in order
    passed: bool


def all_questions(path: Path = QUESTIONS_FILE) -> List[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


def load_questions(split: str, path: Path = QUESTIONS_FILE) -> List[dict]:
    return [question for question in all_questions(path) if question["split"] == split]


def report_file(split: str, reports: Path = REPORTS) -> Path:
    return reports / f"answers-{split}.md"


def replies_file(split: str, reports: Path = REPORTS) -> Path:
    """Every reply of a split's run, passed or not, to compare two runs question by question."""
    return report_file(split, reports).with_suffix(".json")


def split_names(asked: str, path: Path = QUESTIONS_FILE) -> List[str]:
    """The splits ``asked`` names: "all" (in the file's order), one, or several joined by commas."""
    known = list(dict.fromkeys(question["split"] for question in all_questions(path)))
    if asked == "all":
        return known
    names = asked.split(",")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"no split named {', '.join(unknown)}; the splits are all, {', '.join(known)}")
    return names


def expected_texts(kb: KnowledgeBase, question: dict) -> List[str]:
    texts = []
    for item in question.get("expects", []):
        if item in kb.questions:
            texts += [kb.questions[item].answer.patient, kb.questions[item].answer.professional]
        else:
            texts += [kb.facts[item].patient, kb.facts[item].professional]
    return texts


def not_covered_opening(kb: KnowledgeBase) -> str:
    """How every "I don't cover ..." reply opens, whatever subject it names."""
    return kb.messages["not_covered"].text.split("{subject}")[0]


def says_not_covered(kb: KnowledgeBase, reply: str) -> bool:
    return reply.startswith(not_covered_opening(kb))


def says_out_of_scope(kb: KnowledgeBase, reply: str) -> bool:
    """The reply to a message about nothing the assistant covers (a patient's goes on with who can help)."""
    return reply.startswith(kb.messages["out_of_scope"].text)


def out_of_scope_texts(kb: KnowledgeBase) -> List[str]:
    return [kb.messages["out_of_scope"].text, not_covered_opening(kb)]


def passed(kb: KnowledgeBase, question: dict, reply: str) -> bool:
    wanted = expected_texts(kb, question) if question["in_scope"] else out_of_scope_texts(kb)
    return any(text in reply for text in wanted)


def expected_shown(question: dict) -> str:
    """What the report says a question expects: an in-scope one without ids has no fact to expect yet."""
    if question.get("expects"):
        return str(question["expects"])
    return "no fact in the knowledge base yet (expects: [])" if question["in_scope"] else "out-of-scope reply"


def shares(results: Iterable[Result], key: str) -> Dict[str, tuple]:
    """key value -> (passed, total)."""
    counts = defaultdict(lambda: [0, 0])
    for result in results:
        counts[result.question[key]][0] += result.passed
        counts[result.question[key]][1] += 1
    return {name: tuple(count) for name, count in sorted(counts.items())}


def share(results: List[Result]) -> float:
    return sum(result.passed for result in results) / len(results) if results else 1.0


def report(results: List[Result], split: str) -> str:
    in_scope = [r for r in results if r.question["in_scope"]]
    out_of_scope = [r for r in results if not r.question["in_scope"]]
    lines = [
        f"# Real questions, {split} split",
        "",
        f"In scope answered with an expected fact: {sum(r.passed for r in in_scope)}/{len(in_scope)}"
        f" ({share(in_scope):.0%}); out of scope declined: {sum(r.passed for r in out_of_scope)}/{len(out_of_scope)}.",
    ]
    for key in ("topic", "asker"):
        lines += ["", f"| {key} | answered | total |", "|---|---|---|"]
        lines += [f"| {name} | {ok} | {total} |" for name, (ok, total) in shares(results, key).items()]
    failures = [r for r in results if not r.passed]
    lines += ["", f"## Failures ({len(failures)})"]
    for result in failures:
        question = result.question
        # The start of each message: what followed a safety check or a decline shows too.
        messages = [" ".join(message.split()) for message in result.messages if message.strip()]
        reply = " / ".join(message[:REPLY_SHOWN] for message in messages[:MESSAGES_SHOWN])
        lines += ["", f"- {question['id']} ({question['topic']}, {question['asker']}): {question['text'][:200]}"]
        lines += [f"  - expects: {expected_shown(question)}", f"  - got: {reply}"]
    return "\n".join(lines) + "\n"
