"""👍 / 👎 over REST with the real servers: a clinical answer asks "Was this
helpful?", the clicks are answered, and the vote lands in the tracker store
with what it rates, where the trainers' report finds it."""

from datetime import datetime

from tests.conversations import KB, stored_events
from tests.servers.clients import next_id
from tests.servers.conftest import LOGS
from trainer.__main__ import main

QUESTION = "does iloprost help?"
ASK = KB.messages["ask_feedback"]
REASONS = KB.messages["ask_feedback_reason"]


def payload(message, title):
    return next(button.payload for button in message.buttons if button.title == title)


def test_thumbs_down_and_a_reason_are_kept_with_the_answer(assistant, tmp_path, capsys):
    started = datetime.now().isoformat()
    sender = f"feedback-{next_id()}"
    [answer] = assistant.send(sender, QUESTION)
    assert answer["text"].endswith(ASK.text) and "[1]" in answer["text"]
    assert [b["title"] for b in answer["buttons"]][-2:] == ["👍", "👎"]

    [reasons] = assistant.send(sender, answer["buttons"][-1]["payload"])
    assert reasons["text"] == REASONS.text
    assert [b["title"] for b in reasons["buttons"]] == [button.title for button in REASONS.buttons]
    [thanks] = assistant.send(sender, payload(REASONS, "Unclear"))
    assert thanks["text"] == KB.messages["feedback_thanks"].text

    events = stored_events(f"sqlite:///{LOGS / 'conversations.db'}", sender)
    [answered_at] = [e["timestamp"] for e in events if e["event"] == "bot" and e["text"] == answer["text"]]
    votes = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "feedback"]
    rated = {"question": QUESTION, "intent": "ask_treatment", "topic": "iloprost_works", "answered_at": answered_at}
    assert votes == [
        {**rated, "helpful": False, "reason": None},
        {**rated, "helpful": False, "reason": "unclear"},
    ]

    chart = tmp_path / "feedback.png"
    assert (
        main(["feedback-report", "--store", str(LOGS / "conversations.db"), "--since", started, "--chart", str(chart)])
        == 0
    )
    report = capsys.readouterr().out
    assert any(line.split() == ["ask_treatment", "1", "0", "1", "0%"] for line in report.splitlines()), report
    assert "Reasons for 👎: unclear 1" in report and chart.is_file()


def test_ignoring_the_question_just_works(assistant):
    sender = f"feedback-{next_id()}"
    assistant.send(sender, QUESTION)
    [answer] = assistant.send(sender, "what are its side effects?")
    assert "[1]" in answer["text"] and answer["text"].endswith(ASK.text)
    [thanks] = assistant.send(sender, '/feedback{"helpful": "yes"}')
    assert thanks["text"] == KB.messages["feedback_thanks"].text
    [vote] = [
        e["value"]
        for e in stored_events(f"sqlite:///{LOGS / 'conversations.db'}", sender)
        if e["event"] == "slot" and e["name"] == "feedback"
    ]
    assert (vote["question"], vote["helpful"]) == ("what are its side effects?", True)
