"""Helpers of the production tests: the services, the servers' environment and the stored conversations."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Dict, Iterator, List

import sqlalchemy as sa

from bme.knowledge import knowledge_base
from tests.processes import ROOT

KB = knowledge_base()
UNAVAILABLE = KB.messages["temporarily_unavailable"].text
LOGS = ROOT / "reports" / "production-logs"
PRODUCTION_ENDPOINTS = ROOT / "endpoints.production.yml"
# The vertebral fracture plan: each message, and the question it should bring next.
PLAN = [
    ("can you make me a treatment plan", "mri_confirmed"),
    ("yes", "etiology"),
    ("a compression fracture in my spine", "neuro_symptoms"),
    ("no", "pain_severity"),
    ("severe", "pain_duration_weeks"),
    ("about four months", None),
]
PLAN_HEADING = "**Your plan (spine, vertebral compression fracture"


def texts(replies: List[dict]) -> List[str]:
    return [reply.get("text", "") for reply in replies]


def asked(replies: List[dict], slot: str) -> bool:
    return KB.plan.questions[slot].ask.text in texts(replies)


@dataclass
class Services:
    """PostgreSQL and Redis from scripts/test-services.sh."""

    postgres_url: str
    redis_host: str
    redis_port: str
    redis_password: str

    def fresh_database(self, name: str) -> str:
        """An empty database ``name`` in the test cluster; its URL."""
        engine = sa.create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return str(sa.engine.make_url(self.postgres_url).set(database=name).render_as_string(hide_password=False))

    @contextmanager
    def refusing_connections(self, database: str) -> Iterator[None]:
        """The database is unreachable (open connections cut, new ones refused) inside the block."""
        engine = sa.create_engine(self.postgres_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": database},
            )
            try:
                yield
            finally:
                connection.execute(sa.text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
        engine.dispose()

    def production_env(self, database_url: str, action_url: str) -> Dict[str, str]:
        """The environment of the production profile (endpoints.production.yml)."""
        return {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "BME_PROFILE": "production",
            "BME_DATABASE_URL": database_url,
            "BME_ACTION_ENDPOINT_URL": f"{action_url}/webhook",
            "BME_REDIS_HOST": self.redis_host,
            "BME_REDIS_PORT": self.redis_port,
            "BME_REDIS_PASSWORD": self.redis_password,
        }


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
