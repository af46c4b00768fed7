"""The SQL tracker store's copies in memory (server/tracker_store.py) against what the database holds."""

import asyncio

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity

from server.conversations import engine_for, forget
from server.tracker_store import GuardedSQLTrackerStore
from tests.processes import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def session_start():
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def turn(text, reply, **slots):
    return [
        UserUttered(text),
        *(SlotSet(name, value) for name, value in slots.items()),
        ActionExecuted("action_answer_question"),
        BotUttered(reply),
        ActionExecuted("action_listen"),
    ]


def events(tracker):
    return tracker.current_state(EventVerbosity.ALL)["events"]


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'conversations.db'}"


async def play(store, sender, *turns):
    """Rasa's way: get or create the conversation, add a turn's events, save; once per turn."""
    for new_events in turns:
        tracker = await store.get_or_create_tracker(sender)
        tracker.update_with_events(new_events, DOMAIN)
        await store.save(tracker)


def stored_count(url, sender):
    with sa.create_engine(url).connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()


def test_the_copy_in_memory_is_what_the_database_holds(url):
    async def scenario():
        store = GuardedSQLTrackerStore(DOMAIN, host=url)
        await play(
            store,
            "anna",
            session_start() + turn("hi", "Hello", audience="patient"),
            turn("does iloprost help?", "Iloprost ..."),
            session_start() + turn("back again", "Welcome back", audience="caregiver"),
        )
        from_database = await GuardedSQLTrackerStore(DOMAIN, host=url).retrieve("anna")
        from_memory = await store.retrieve("anna")
        assert events(from_memory) == events(from_database)
        assert from_memory.get_slot("audience") == from_database.get_slot("audience") == "caregiver"
        assert isinstance(from_memory.events[0], SessionStarted)  # the latest session only

    asyncio.run(scenario())
    # Rasa's SQL store appends what the database lacks: a wrong copy would store events twice.
    assert stored_count(url, "anna") == 1 + 3 + 5 + 4 + 3 + 5


def test_another_servers_turn_is_seen(url):
    async def scenario():
        first, second = GuardedSQLTrackerStore(DOMAIN, host=url), GuardedSQLTrackerStore(DOMAIN, host=url)
        await play(first, "ben", session_start() + turn("hi", "Hello"))
        await play(second, "ben", turn("what is it?", "Bone marrow edema is ..."))
        await play(first, "ben", turn("thanks", "You're welcome"))
        assert [event["text"] for event in events(await second.retrieve("ben")) if event["event"] == "user"] == [
            "hi",
            "what is it?",
            "thanks",
        ]

    asyncio.run(scenario())


def test_a_forgotten_conversation_is_not_served_from_memory(url):
    async def scenario():
        store = GuardedSQLTrackerStore(DOMAIN, host=url)
        await play(store, "cleo", session_start() + turn("my knee hurts", "Sorry to hear that"))
        engine = engine_for(url)
        forget(engine, ["cleo"])
        engine.dispose()
        assert await store.retrieve("cleo") is None

    asyncio.run(scenario())
