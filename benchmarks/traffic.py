"""The load generator: simulated users chatting over the REST channel, asynchronous, in one process.

A turn is an error when the reply is not HTTP 200, is empty or says the assistant is unavailable.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Dict, List

import aiohttp
from stats import latency_ms

from bme.knowledge import knowledge_base

UNAVAILABLE = knowledge_base().messages["temporarily_unavailable"].text
REQUEST_TIMEOUT_S = 30
# Questions, follow-ups and the treatment plan form.
BME_CONVERSATIONS = [
    [
        "hi",
        "I'm a patient",
        "what is bone marrow edema?",
        "what causes it?",
        "how is it diagnosed?",
        "does iloprost help?",
        "what are its side effects?",
        "thanks",
    ],
    [
        "can you make me a treatment plan",
        "yes",
        "a compression fracture in my spine",
        "no",
        "severe",
        "about four months",
        "what was my plan again?",
        "tell me more about step 2",
    ],
    [
        "hello",
        "can I walk on my knee?",
        "is kyphoplasty a good idea for a compression fracture?",
        "sources?",
        "goodbye",
    ],
]
# The stock assistant's intents: greet, moods, affirm/deny, bot challenge, goodbye.
STOCK_CONVERSATIONS = [
    ["hi", "I am feeling great", "bye"],
    ["hello", "I am very sad", "yes", "are you a bot?", "goodbye"],
    ["good morning", "not good", "no", "see you later"],
]
CONVERSATIONS = {"stock": STOCK_CONVERSATIONS, "bme": BME_CONVERSATIONS}


@dataclass
class Mode:
    name: str
    users: int
    mean_think_s: float  # each user waits a uniform 0 to 2x this after every reply
    seconds: float


@dataclass
class Measurement:
    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # the load generator's own

    def summary(self) -> Dict[str, float]:
        return {
            "turns": len(self.latencies),
            "errors": self.errors,
            "turns_per_s": len(self.latencies) / self.seconds,
            "generator_cpu_share": self.cpu_seconds / self.seconds,
            **latency_ms(self.latencies),
        }


async def send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> bool:
    """One turn; whether it got a proper answer."""
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as reply:
            body = await reply.json() if reply.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False
    return bool(body) and any(item.get("text") for item in body) and body[0].get("text") != UNAVAILABLE


async def simulate(url: str, conversations: List[List[str]], mode: Mode, label: str) -> Measurement:
    """``mode.users`` users for ``mode.seconds``, each going through the conversations in turn."""
    measurement = Measurement()
    started, cpu_started = time.monotonic(), time.process_time()
    deadline = started + mode.seconds

    async def think(rng: random.Random) -> None:
        if mode.mean_think_s:
            await asyncio.sleep(rng.uniform(0, 2 * mode.mean_think_s))

    async def user(session: aiohttp.ClientSession, number: int) -> None:
        rng = random.Random(number)
        await think(rng)  # users arrive spread out, not all at once
        for conversation in range(10_000):
            sender = f"{label}-{number}-{conversation}"
            for message in conversations[(number + conversation) % len(conversations)]:
                if time.monotonic() >= deadline:
                    return
                sent = time.monotonic()
                if await send(session, url, sender, message):
                    measurement.latencies.append(time.monotonic() - sent)
                else:
                    measurement.errors += 1
                await think(rng)

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(user(session, number) for number in range(mode.users)))
    measurement.seconds = time.monotonic() - started
    measurement.cpu_seconds = time.process_time() - cpu_started
    return measurement


def run(url: str, setup: str, mode: Mode, label: str) -> Dict[str, float]:
    """One mode against one set-up; the summary of what the users saw."""
    return asyncio.run(simulate(url, CONVERSATIONS[setup], mode, f"{label}-{setup}-{mode.name}")).summary()
