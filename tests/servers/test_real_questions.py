"""Real questions people asked on public pages, put to the running assistant
(tests/answers/real_questions.yml). `make test-answers` runs this file alone;
SPLIT=holdout checks the sealed split once."""

import json
import os
from pathlib import Path

from bme.knowledge import knowledge_base
from tests.answers.scoring import Result, load_questions, passed, report, share
from tests.servers.clients import next_id

KB = knowledge_base()
SPLIT = os.environ.get("BME_ANSWERS_SPLIT", "dev")
REPORT = Path("reports") / f"answers-{SPLIT}.md"
# Every reply, passed or not, for a trainer comparing two runs question by question.
REPLIES = REPORT.with_suffix(".json")
# Floors a little under what the assistant reached on the dev split on 2026-11-28 (94% answered, 83%
# declined; a change of data moves a question or two), so it cannot slip back; the goal is 90% and 100%
# on every split. Raise them as cards and facts are added.
MIN_IN_SCOPE_ANSWERED = 0.90
MIN_OUT_OF_SCOPE_DECLINED = 0.80


def test_real_questions_are_answered_or_declined(assistant):
    results = []
    for question in load_questions(SPLIT):
        replies = assistant.send(f"real-question-{next_id()}", question["text"])
        messages = [message.get("text", "") for message in replies]
        results.append(Result(question, messages, passed(KB, question, "\n".join(messages))))
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(report(results, SPLIT), encoding="utf-8")
    replies = {result.question["id"]: {"passed": result.passed, "messages": result.messages} for result in results}
    REPLIES.write_text(json.dumps(replies, indent=1, ensure_ascii=False), encoding="utf-8")
    in_scope = [result for result in results if result.question["in_scope"]]
    declined = [result for result in results if not result.question["in_scope"]]
    assert share(in_scope) >= MIN_IN_SCOPE_ANSWERED, f"see {REPORT}"
    assert share(declined) >= MIN_OUT_OF_SCOPE_DECLINED, f"see {REPORT}"
