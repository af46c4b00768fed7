"""The inbox picks misunderstood messages from a SQLite tracker store written by Rasa's own SQLTrackerStore."""

import asyncio
import sqlite3
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from trainer import TrainerError
from trainer.__main__ import main
from trainer.inbox import read_inbox, read_turns, select, store_url, write_inbox
from trainer.nlu_data import normalise, parse_example


def said(text, intent, confidence, *, ranking=None, entities=(), then="action_answer_question"):
    """A user message as Rasa records it, and what the assistant did next."""
    ranking = ranking or [{"name": intent, "confidence": confidence}]
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "intent_ranking": ranking,
    }
    return [
        UserUttered(text, parse["intent"], list(entities), parse_data=parse),
        ActionExecuted(then),
        BotUttered("..."),
        ActionExecuted("action_listen"),
    ]


def fallback(text, best, confidence):
    return said(
        text,
        "nlu_fallback",
        0.45,
        then="action_rephrase_fallback",
        ranking=[{"name": "nlu_fallback", "confidence": 0.45}, {"name": best, "confidence": confidence}],
    )


def session():
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def term(entity, value, start, end):
    return {"entity": entity, "value": value, "start": start, "end": end, "extractor": "MedicalRules"}


CONVERSATIONS = {
    "anna": [
        *session(),
        *said("hello", "greet", 0.99),
        *fallback("blorp zzkv wibble", "ask_treatment", 0.2),
        *said("does shockwave help", "ask_treatment", 0.55, entities=[term("treatment", "eswt", 5, 14)]),
        *said("what is bone marrow edema", "ask_definition", 0.97),
        *said("thanks", "thank", 0.99),
    ],
    "ben": [
        *session(),
        *said("tell me about marrow swelling stuff", "ask_causes", 0.81),
        *said("tell me about bone marrow swelling", "ask_definition", 0.93),
        *said(
            "how long does BME in the hip take to heal",
            "ask_prognosis",
            0.95,
            entities=[term("body_site", "hip", 25, 28)],
        ),
        *said(
            "how long does BME in the knee take to heal",
            "ask_prognosis",
            0.95,
            entities=[term("body_site", "knee", 25, 29)],
        ),
        *said("so what now", "ask_treatment", 0.75),
        *said("so what now?", "ask_treatment", 0.75),
        *said("/greet", "greet", 1.0),
        *session(),
        *said("can I go hiking with bone marrow edema", "ask_activity", 0.9),
    ],
    "cleo": [
        *session(),
        *fallback("BLORP zzkv, wibble!", "ask_treatment", 0.3),
        *said("can I run with bone marrow edema", "ask_activity", 0.88),
    ],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "conversations.db"
    tracker_store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    for sender, events in CONVERSATIONS.items():
        asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender, events)))
    return path


@pytest.fixture(scope="module")
def inbox(store):
    return select(read_turns(store_url(str(store))), threshold=0.7, known={normalise("thanks")})


def entries(inbox):
    """Entries by their plain, normalised text."""
    return {normalise(parse_example(entry.text, "", "").text): entry for group in inbox.values() for entry in group}


def test_fallbacks_are_picked_once_with_how_often_they_were_seen(inbox):
    entry = entries(inbox)["blorp zzkv wibble"]
    assert (entry.intent, entry.why, entry.seen) == ("ask_treatment?", ["fell back"], 2)
    assert entry in inbox["ask_treatment"]


def test_low_confidence_is_picked_with_the_recognised_terms_marked(inbox):
    entry = entries(inbox)["does shockwave help"]
    assert entry.text == 'does [shockwave]{"entity": "treatment", "value": "eswt"} help'
    assert (entry.intent, entry.confidence, entry.why) == ("ask_treatment?", 0.55, ["low confidence (0.55 < 0.70)"])


def test_a_message_the_user_rephrased_or_repeated_is_picked(inbox):
    picked = entries(inbox)
    assert picked["tell me about marrow swelling stuff"].why == ['rephrased as "tell me about bone marrow swelling"']
    assert picked["so what now"].why == ["repeated by the user"]


def test_confident_messages_new_questions_payloads_and_known_examples_are_not_picked(inbox):
    assert set(entries(inbox)) == {
        "blorp zzkv wibble",
        "does shockwave help",
        "tell me about marrow swelling stuff",
        "so what now",
    }


def test_inbox_file_round_trips_and_explains_how_to_review(inbox, tmp_path):
    path = tmp_path / "inbox.yml"
    write_inbox(path, inbox)
    text = path.read_text()
    assert text.startswith("# NLU inbox: 4 messages the assistant may have misunderstood")
    assert 'delete the "?" when the intent is right' in text
    assert read_inbox(path) == inbox


def test_inbox_command_writes_the_file_and_will_not_overwrite_reviews(store, tmp_path, capsys):
    out = tmp_path / "inbox.yml"
    assert main(["inbox", "--store", str(store), "--out", str(out)]) == 0
    assert f"4 messages to review, in 2 predicted intents: {out}" in capsys.readouterr().out
    assert main(["inbox", "--store", str(store), "--out", str(out)]) == 2
    assert "already exists and may hold reviews not merged yet" in capsys.readouterr().err
    assert main(["inbox", "--store", str(store), "--out", str(out), "--force", "--threshold", "0.99"]) == 0


@pytest.mark.parametrize(
    "store, message",
    [
        ("missing.db", "no tracker store file there"),
        ("empty.db", "no 'events' table, so this is not a Rasa tracker store"),
        ("nosuchdialect://user:secret@host/db", "not a usable SQL URL"),
    ],
)
def test_a_bad_store_gives_a_clear_message(tmp_path, monkeypatch, store, message):
    monkeypatch.chdir(tmp_path)
    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(TrainerError, match=message):
        read_turns(store_url(store))


@pytest.mark.parametrize(
    "content, message",
    [
        ("ask_treatment: [{text: hi}]", r"ask_treatment, entry 1: 'intent' field required"),
        ("ask_treatment: [{text: hi, intent: greet, colour: red}]", r"'colour' extra fields not permitted"),
        ("ask_treatment: hi", "ask_treatment: expected a list of entries"),
        ("- just a list", "expected predicted intents, each with a list of entries"),
    ],
)
def test_a_broken_inbox_file_gives_a_clear_message(tmp_path, content, message):
    path = tmp_path / "inbox.yml"
    path.write_text(content)
    with pytest.raises(TrainerError, match=message):
        read_inbox(path)


def test_since_keeps_only_the_messages_from_then_on(tmp_path):
    tracker_store = SQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "conversations.db"))
    old = DialogueStateTracker.from_events("dora", [*session(), *said("an old question", "ask_treatment", 0.3)])
    asyncio.run(tracker_store.save(old))
    since = time.time()
    new = DialogueStateTracker.from_events("emil", [*session(), *said("a new question", "ask_treatment", 0.3)])
    asyncio.run(tracker_store.save(new))
    url = store_url(str(tmp_path / "conversations.db"))
    assert [turn.text for turn in read_turns(url)] == ["an old question", "a new question"]
    assert [turn.text for turn in read_turns(url, since)] == ["a new question"]


def test_since_must_be_a_date(capsys):
    with pytest.raises(SystemExit):
        main(["inbox", "--since", "last tuesday"])
    assert "'last tuesday' is not a date such as 2026-11-01" in capsys.readouterr().err
