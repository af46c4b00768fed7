"""Real questions people asked on public pages, put to the running assistant
(tests/answers/real_questions.yml). `make test-answers` runs this file alone;
SPLIT=holdout checks the sealed split once, SPLIT=all every split with one start of the servers."""

import json
import os

import pytest

from bme.knowledge import knowledge_base
from tests.answers.scoring import (
    Result,
    load_questions,
    passed,
    replies_file,
    report,
    report_file,
    share,
    split_names,
)
from tests.servers.clients import next_id

KB = knowledge_base()
SPLITS = split_names(os.environ.get("BME_ANSWERS_SPLIT", "dev"))
# Floors a little under what the assistant reached on the dev split on 2026-11-28 (94% answered, 83%
# declined; a change of data moves a question or two), so it cannot slip back; the goal is 90% and 100%
# on every split. Raise them as cards and facts are added.
MIN_IN_SCOPE_ANSWERED = 0.90
MIN_OUT_OF_SCOPE_DECLINED = 0.80


@pytest.mark.parametrize("split", SPLITS)
def test_real_questions_are_answered_or_declined(assistant, split):
    results = []
    for question in load_questions(split):
        replies = assistant.send(f"real-question-{next_id()}", question["text"])
        messages = [message.get("text", "") for message in replies]
        results.append(Result(question, messages, passed(KB, question, "\n".join(messages))))
    report_path = report_file(split)
    report_path.parent.mkdir(exist_ok=True)
    report_path.write_text(report(results, split), encoding="utf-8")
    replies = {result.question["id"]: {"passed": result.passed, "messages": result.messages} for result in results}
    replies_file(split).write_text(json.dumps(replies, indent=1, ensure_ascii=False), encoding="utf-8")
    in_scope = [result for result in results if result.question["in_scope"]]
    declined = [result for result in results if not result.question["in_scope"]]
    assert share(in_scope) >= MIN_IN_SCOPE_ANSWERED, f"see {report_path}"
    assert share(declined) >= MIN_OUT_OF_SCOPE_DECLINED, f"see {report_path}"
