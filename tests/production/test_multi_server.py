"""Two Rasa servers sharing PostgreSQL and Redis, with one action server (the production profile)."""

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import List

import pytest

from tests.conversations import (
    PLAN,
    PLAN_HEADING,
    UNAVAILABLE,
    asked,
    bot_texts,
    final_slots,
    stored_events,
    texts,
    user_texts,
)
from tests.processes import ROOT, RunningAssistant, action_server, rasa_server
from tests.production.support import LOGS, PRODUCTION_ENDPOINTS

QUESTIONS = [
    "what is bone marrow edema?",
    "does iloprost help?",
    "what causes it?",
    "how is it diagnosed?",
    "can I walk on my knee?",
    "how long does it take to heal?",
]


@dataclass
class Cluster:
    database_url: str
    servers: List[RunningAssistant]
    server_stacks: List[ExitStack]

    def stop(self, index: int) -> None:
        self.server_stacks[index].close()


@pytest.fixture(scope="module")
def cluster(services):
    """Both servers; a test may stop the first (``Cluster.stop(0)``), so later tests use the last."""
    logs = LOGS / "multi-server"
    logs.mkdir(parents=True, exist_ok=True)
    database_url = services.fresh_database("bme_cluster")
    with ExitStack() as stack:
        action_url = stack.enter_context(action_server(logs, {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}))
        env = services.production_env(database_url, action_url)
        server_stacks = [stack.enter_context(ExitStack()) for _ in range(2)]
        servers = [
            server_stack.enter_context(
                rasa_server(logs, env, action_url, endpoints=PRODUCTION_ENDPOINTS, name=f"rasa-server-{number}")
            )
            for number, server_stack in enumerate(server_stacks, 1)
        ]
        yield Cluster(database_url, servers, server_stacks)


def turns(events: List[dict]) -> List[List[dict]]:
    """The events split at each user message (events before the first one dropped)."""
    split: List[List[dict]] = []
    for event in events:
        if event["event"] == "user":
            split.append([])
        if split:
            split[-1].append(event)
    return split


def test_concurrent_messages_for_one_conversation_are_handled_one_at_a_time(cluster):
    sender = "concurrent"
    with ThreadPoolExecutor(len(QUESTIONS)) as pool:
        futures = {
            question: pool.submit(cluster.servers[number % 2].send, sender, question)
            for number, question in enumerate(QUESTIONS)
        }
        replies = {question: texts(future.result()) for question, future in futures.items()}
    for question, reply in replies.items():
        assert reply and reply != [UNAVAILABLE] and "Sources: [[1]](https://" in "\n".join(reply), (question, reply)

    stored = turns(stored_events(cluster.database_url, sender))
    assert sorted(turn[0]["text"] for turn in stored) == sorted(QUESTIONS)
    for turn in stored:
        assert turn[-1]["event"] == "action" and turn[-1]["name"] == "action_listen"
        assert bot_texts(turn) == replies[turn[0]["text"]]
    for earlier, later in zip(stored, stored[1:], strict=False):
        assert later[0]["timestamp"] >= earlier[-1]["timestamp"], "two turns of one conversation overlapped"


def test_a_conversation_moves_between_servers_and_survives_one_stopping(cluster):
    sender = "alternating"
    seen = []
    for number, (message, next_question) in enumerate(PLAN[:4]):
        replies = cluster.servers[number % 2].send(sender, message)
        assert asked(replies, next_question), (message, texts(replies))
        seen += texts(replies)
    cluster.stop(0)
    for message, next_question in PLAN[4:-1]:
        replies = cluster.servers[1].send(sender, message)
        assert asked(replies, next_question), (message, texts(replies))
        seen += texts(replies)
    plan = texts(cluster.servers[1].send(sender, PLAN[-1][0]))
    assert plan[0].startswith(PLAN_HEADING) and "pain 8/10" in plan[0] and "17.3 weeks" in plan[0], plan
    seen += plan

    events = stored_events(cluster.database_url, sender)
    assert user_texts(events) == [message for message, _ in PLAN]
    assert bot_texts(events) == seen
    slots = final_slots(events)
    assert {
        name: slots[name] for name in ("mri_confirmed", "etiology", "body_site", "neuro_symptoms", "pain_severity")
    } == {
        "mri_confirmed": True,
        "etiology": "vertebral_compression_fracture",
        "body_site": "spine",
        "neuro_symptoms": False,
        "pain_severity": 8.0,
    }
    assert round(slots["pain_duration_weeks"], 1) == 17.3


def test_forget_deletes_a_conversation_from_postgresql(cluster):
    server, sender = cluster.servers[-1], "forget-me"
    for message, _ in PLAN:
        server.send(sender, message)
    assert texts(server.send(sender, "what was my plan again?"))[0].startswith(PLAN_HEADING)
    env = {**os.environ, "BME_PROFILE": "production", "BME_DATABASE_URL": cluster.database_url}
    result = subprocess.run(
        [sys.executable, "-m", "server.conversations", "forget", sender],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("Deleted "), result
    assert stored_events(cluster.database_url, sender) == []
    assert "don't have a plan yet" in texts(server.send(sender, "what was my plan again?"))[0]
