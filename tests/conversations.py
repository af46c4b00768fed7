"""What the server and production tests read in a conversation: replies, plan questions and stored events."""

from __future__ import annotations

import json
from typing import Dict, List

import sqlalchemy as sa

from bme.knowledge import knowledge_base

KB = knowledge_base()
UNAVAILABLE = KB.messages["temporarily_unavailable"].text
# The vertebral fracture plan: each message, and the question it should bring next.
PLAN = [
    ("can you make me a treatment plan", "mri_confirmed"),
    ("yes", "etiology"),
    ("a compression fracture in my spine", "neuro_symptoms"),
    ("no", "cancer_history"),
    ("no", "pain_severity"),
    ("severe", "pain_duration_weeks"),
    ("about four months", "pregnancy"),
    ("no", None),
]
PLAN_HEADING = "**Your plan (spine, vertebral compression fracture"


def texts(replies: List[dict]) -> List[str]:
    return [reply.get("text", "") for reply in replies]


def asked(replies: List[dict], slot: str) -> bool:
    return KB.plan.questions[slot].ask.text in texts(replies)


def stored_events(store_url: str, sender: str) -> List[dict]:
    """The conversation's events in the tracker store, in order."""
    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"), {"sender": sender}
        )
        events = [json.loads(data) for (data,) in rows]
    engine.dispose()
    return events


def user_texts(events: List[dict]) -> List[str]:
    return [event["text"] for event in events if event["event"] == "user"]


def bot_texts(events: List[dict]) -> List[str]:
    return [event["text"] for event in events if event["event"] == "bot"]


def final_slots(events: List[dict]) -> Dict[str, object]:
    slots: Dict[str, object] = {}
    for event in events:
        if event["event"] == "slot":
            slots[event["name"]] = event["value"]
    return slots
