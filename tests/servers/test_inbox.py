"""The inbox picks the right messages from the SQLite tracker store of the shared servers, since a given moment."""

from datetime import datetime

import pytest

from tests.servers.conftest import LOGS
from trainer.__main__ import main
from trainer.inbox import read_inbox
from trainer.nlu_data import normalise, parse_example

GIBBERISH = "qwzx vrenk blorft"
REPHRASED = "tell me about marrow swelling stuff"
REPHRASE = "tell me about bone marrow swelling"
REPEATED = "so what now"
# Training examples (never picked again) and a button payload.
NOT_PICKED = ["what is bone marrow edema?", "thank you", "/greet"]


def said(replies):
    return " ".join(reply.get("text", "") for reply in replies)


@pytest.fixture(scope="module")
def since(assistant):
    """The moment before three real conversations with the shared servers, as the inbox's --since."""
    started = datetime.now().isoformat()
    fell_back = said(assistant.send("inbox-anna", GIBBERISH))
    assert "not sure what you mean" in fell_back, f"the model did not fall back on {GIBBERISH!r}: {fell_back}"
    for message in [*NOT_PICKED, REPHRASED, REPHRASE]:
        assistant.send("inbox-anna", message)
    assistant.send("inbox-ben", GIBBERISH.upper() + "!")
    for message in [REPEATED, REPEATED + "?", "thank you"]:
        assistant.send("inbox-ben", message)
    return started


@pytest.fixture(scope="module")
def picked(since, tmp_path_factory):
    """Picked entries by normalised plain text. The threshold is below the fallback threshold (0.45),
    so any message that did not fall back is picked only for being rephrased or repeated."""
    out = tmp_path_factory.mktemp("inbox") / "inbox.yml"
    store = LOGS / "conversations.db"
    assert main(["inbox", "--store", str(store), "--since", since, "--out", str(out), "--threshold", "0.3"]) == 0
    return {
        normalise(parse_example(entry.text, "", "").text): entry
        for entries in read_inbox(out).values()
        for entry in entries
    }


def test_a_fallback_is_picked_once_however_often_it_was_sent(picked):
    entry = picked[normalise(GIBBERISH)]
    assert "fell back" in entry.why and entry.seen == 2
    assert entry.intent.endswith("?")


def test_a_rephrased_or_repeated_message_is_picked(picked):
    assert f'rephrased as "{REPHRASE}"' in picked[normalise(REPHRASED)].why
    assert "repeated by the user" in picked[normalise(REPEATED)].why


def test_nothing_else_is_picked(picked):
    for message in NOT_PICKED:
        assert normalise(message) not in picked
    others = {
        text: entry.why
        for text, entry in picked.items()
        if text not in {normalise(GIBBERISH), normalise(REPHRASED), normalise(REPEATED)}
    }
    assert all(why == ["fell back"] for why in others.values()), others
