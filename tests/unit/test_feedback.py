"""Feedback on answers for trainers: votes read from tracker events, the
helpfulness tallies and report, and 👎 first in the inbox. No Rasa, no model."""

import json
import sqlite3
from datetime import datetime

import pytest

from bme.feedback import helpfulness, total, vote_record, votes_from_events
from trainer.__main__ import main
from trainer.feedback import report_text, write_chart
from trainer.inbox import RATED_UNHELPFUL, read_inbox, select, turns_from_events
from trainer.nlu_data import normalise


def asked(text, intent, answered_at, topic="treatment"):
    """A user question and the clinical answer to it, as Rasa stores them."""
    parse = {"intent": {"name": intent, "confidence": 0.9}, "intent_ranking": [{"name": intent, "confidence": 0.9}]}
    answered = {"question": text, "intent": intent, "topic": topic}
    return [
        {"event": "user", "text": text, "timestamp": answered_at - 1, "parse_data": parse},
        {"event": "action", "name": "action_answer_question", "timestamp": answered_at},
        {"event": "bot", "text": f"Answer to {text}", "timestamp": answered_at, "metadata": {"answered": answered}},
    ]


def rated(text, intent, answered_at, helpful, reason=None, topic="treatment", at=None):
    """The user's 👍 / 👎 click and the slot the feedback action sets."""
    answered = {"question": text, "intent": intent, "topic": topic}
    value = vote_record(answered, helpful, reason, answered_at)
    when = at or answered_at + 5
    return [
        {"event": "user", "text": '/feedback{"helpful": "no"}', "timestamp": when, "parse_data": {}},
        {"event": "slot", "name": "feedback", "value": value, "timestamp": when},
    ]


ANNA = [
    *asked("does iloprost help", "ask_treatment", 100.0),
    *rated("does iloprost help", "ask_treatment", 100.0, False),
    # The reason after 👎 replaces the vote on the same answer.
    *rated("does iloprost help", "ask_treatment", 100.0, False, "unclear"),
    *asked("what is bone marrow edema", "ask_definition", 200.0, topic="definition"),
    *rated("what is bone marrow edema", "ask_definition", 200.0, True, topic="definition"),
]
BEN = [
    *asked("is shockwave any good", "ask_treatment", 300.0),
    *rated("is shockwave any good", "ask_treatment", 300.0, True),
    {"event": "slot", "name": "feedback", "value": None, "timestamp": 400.0},  # not a vote
]
EVENTS = [("anna", event) for event in ANNA] + [("ben", event) for event in BEN]


def test_one_vote_per_answer_the_latest_winning():
    votes = votes_from_events(EVENTS)
    assert [(v.conversation, v.question, v.helpful, v.reason) for v in votes] == [
        ("anna", "does iloprost help", False, "unclear"),
        ("anna", "what is bone marrow edema", True, None),
        ("ben", "is shockwave any good", True, None),
    ]


def test_a_new_session_carrying_the_slot_over_casts_no_vote():
    carried = {"event": "slot", "name": "feedback", "value": BEN[-2]["value"] | {"helpful": False}, "timestamp": 9e3}
    new_session = [{"event": "action", "name": "action_session_start"}, {"event": "session_started"}, carried]
    votes = votes_from_events(EVENTS + [("ben", event) for event in new_session])
    assert [vote.helpful for vote in votes if vote.conversation == "ben"] == [True]


def test_helpfulness_per_topic_and_intent_least_helpful_first():
    votes = votes_from_events(EVENTS)
    by_topic = helpfulness(votes, "topic")
    assert [(name, t.votes, t.helpful, t.share_helpful) for name, t in by_topic.items()] == [
        ("treatment", 2, 1, 0.5),
        ("definition", 1, 1, 1.0),
    ]
    assert list(helpfulness(votes, "intent")) == ["ask_treatment", "ask_definition"]
    assert (total(votes).votes, total(votes).unhelpful) == (3, 1)


def test_report_prints_counts_percentages_and_reasons():
    text = report_text(votes_from_events(EVENTS), "so far")
    lines = text.splitlines()
    assert lines[0] == "Feedback on answers so far: 3 votes, 67% helpful."
    assert any(line.split() == ["treatment", "2", "1", "1", "50%"] for line in lines)
    assert any(line.split() == ["ask_definition", "1", "1", "0", "100%"] for line in lines)
    assert lines[-1] == "Reasons for 👎: unclear 1"
    assert report_text([], "so far") == "No feedback on answers so far."


def test_chart_is_a_png(tmp_path):
    path = write_chart(votes_from_events(EVENTS), tmp_path / "charts" / "feedback.png", "so far")
    assert path.read_bytes().startswith(b"\x89PNG")


def test_turns_remember_the_answer_they_got():
    [question, *_] = turns_from_events(EVENTS)
    assert (question.text, question.answer, question.answered_at) == (
        "does iloprost help",
        "Answer to does iloprost help",
        100.0,
    )


def test_questions_rated_unhelpful_come_first_with_answer_and_reason():
    turns = list(turns_from_events(EVENTS))
    # Confident and known as training data: picked only because of the 👎.
    inbox = select(turns, 0.7, {normalise("does iloprost help")}, votes_from_events(EVENTS))
    assert list(inbox) == [RATED_UNHELPFUL]
    [entry] = inbox[RATED_UNHELPFUL]
    assert (entry.text, entry.intent, entry.answer) == (
        "does iloprost help",
        "ask_treatment?",
        "Answer to does iloprost help",
    )
    assert entry.why == ["rated unhelpful: unclear"]
    assert select(turns, 0.7, set()) == {}


def store_with(path, events):
    """A minimal SQL tracker store: Rasa's events table, the columns the trainer reads."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp REAL, data TEXT)")
        connection.executemany(
            "INSERT INTO events (sender_id, timestamp, data) VALUES (?, ?, ?)",
            [(sender, event["timestamp"], json.dumps(event)) for sender, event in events],
        )
    return path


@pytest.fixture
def store(tmp_path):
    return store_with(tmp_path / "conversations.db", EVENTS)


def test_feedback_report_command(store, tmp_path, capsys):
    chart = tmp_path / "feedback.png"
    assert main(["feedback-report", "--store", str(store), "--chart", str(chart)]) == 0
    out = capsys.readouterr().out
    assert "3 votes, 67% helpful" in out and f"Chart: {chart}" in out and chart.is_file()


def test_feedback_report_for_a_period(store, tmp_path, capsys):
    def moment(timestamp):
        return datetime.fromtimestamp(timestamp).isoformat()

    args = ["feedback-report", "--store", str(store), "--chart", str(tmp_path / "c.png")]
    assert main([*args, "--since", moment(150), "--until", moment(350)]) == 0
    assert "2 votes, 100% helpful" in capsys.readouterr().out  # Anna's 👎 came before
    assert main([*args, "--since", moment(1000)]) == 0
    assert "No feedback on answers from" in capsys.readouterr().out


def test_inbox_command_lists_rated_questions_first(store, tmp_path):
    out = tmp_path / "inbox.yml"
    assert main(["inbox", "--store", str(store), "--out", str(out), "--threshold", "0.5"]) == 0
    inbox = read_inbox(out)
    assert list(inbox)[0] == RATED_UNHELPFUL and inbox[RATED_UNHELPFUL][0].answer == "Answer to does iloprost help"
