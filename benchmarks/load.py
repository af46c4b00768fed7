"""Load benchmark: simulated users chatting over the REST channel, this assistant against a stock one.

    .venv/bin/python benchmarks/load.py            # about 10 minutes on 2 cores
    .venv/bin/python benchmarks/load.py --quick    # a short trial of the script

Each user goes through scripted conversations (questions, follow-ups, the
treatment plan) in two modes:

- paced: 100 users, each waiting a random 0-10 s (5 s on average) after each reply;
- saturation: 20 users with no wait, to find the throughput ceiling.

The same load runs against three set-ups, one after the other, all on
127.0.0.1: a stock `rasa init` assistant (trained here in a temporary folder:
the baseline), this assistant as `make run` starts it (one Rasa process,
SQLite), and its production profile (two Rasa processes sharing PostgreSQL and
the Redis lock store, turns sent to them in turn; the services come from
scripts/test-services.sh). A turn is an error when the reply is not HTTP 200,
is empty or says the assistant is unavailable.

Prints Markdown tables and writes reports/benchmarks/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import aiohttp
from common import LOGS, ROOT, latency_ms, local_assistant, machine, markdown_table, run_logged, save_report
from single_user import CONVERSATIONS

from bme.knowledge import knowledge_base
from tests.processes import BIN, action_server, rasa_server

UNAVAILABLE = knowledge_base().messages["temporarily_unavailable"].text
# The stock assistant's intents: greet, moods, affirm/deny, bot challenge, goodbye.
STOCK_CONVERSATIONS = [
    ["hi", "I am feeling great", "bye"],
    ["hello", "I am very sad", "yes", "are you a bot?", "goodbye"],
    ["good morning", "not good", "no", "see you later"],
]
REQUEST_TIMEOUT_S = 30


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

    def summary(self) -> Dict[str, float]:
        return {
            "turns": len(self.latencies),
            "errors": self.errors,
            "turns_per_s": len(self.latencies) / self.seconds if self.seconds else 0.0,
            **latency_ms(self.latencies),
        }


def modes(quick: bool) -> List[Mode]:
    return [Mode("paced", 100, 5.0, 15 if quick else 60), Mode("saturation", 20, 0.0, 10 if quick else 30)]


async def send(session: aiohttp.ClientSession, url: str, sender: str, message: str) -> bool:
    """One turn; whether it got a proper answer."""
    try:
        async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": message}) as reply:
            body = await reply.json() if reply.status == 200 else None
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False
    return bool(body) and any(item.get("text") for item in body) and body[0].get("text") != UNAVAILABLE


async def simulate(urls: List[str], conversations: List[List[str]], mode: Mode, label: str) -> Measurement:
    """``mode.users`` users for ``mode.seconds``; consecutive turns go to the servers in turn."""
    measurement = Measurement()
    turns = 0
    started = time.monotonic()
    deadline = started + mode.seconds

    async def think(rng: random.Random) -> None:
        if mode.mean_think_s:
            await asyncio.sleep(rng.uniform(0, 2 * mode.mean_think_s))

    async def user(session: aiohttp.ClientSession, number: int) -> None:
        nonlocal turns
        rng = random.Random(number)
        await think(rng)  # users arrive spread out, not all at once
        for conversation in range(10_000):
            sender = f"{label}-{mode.name}-{number}-{conversation}"
            for message in conversations[(number + conversation) % len(conversations)]:
                if time.monotonic() >= deadline:
                    return
                url, turns = urls[turns % len(urls)], turns + 1
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
    return measurement


def measure(urls: List[str], conversations: List[List[str]], label: str, quick: bool) -> Dict[str, Dict]:
    warm_up = Mode("warm-up", 2, 0.0, 5)
    asyncio.run(simulate(urls, conversations, warm_up, label))
    results = {}
    for mode in modes(quick):
        results[mode.name] = asyncio.run(simulate(urls, conversations, mode, label)).summary()
        print(f"  {label} {mode.name}: {results[mode.name]}", flush=True)
    return results


@contextmanager
def stock_assistant(folder: Path) -> Iterator[str]:
    """`rasa init`'s project, trained in ``folder``, served with its own (default) settings."""
    project = folder / "stock"
    project.mkdir()
    logs = LOGS / "stock"
    run_logged(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)],
        logs / "rasa-init.log",
        cwd=project,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(project / "cache")},
    )
    model = next((project / "models").glob("*.tar.gz"))
    with rasa_server(
        logs,
        {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
        model=model,
        credentials=project / "credentials.yml",
        endpoints=project / "endpoints.yml",
        name="stock-rasa-server",
        cwd=project,
    ) as assistant:
        yield assistant.rasa_url


@contextmanager
def test_services() -> Iterator[Dict[str, str]]:
    """PostgreSQL and Redis from scripts/test-services.sh, stopped afterwards."""
    script = str(ROOT / "scripts" / "test-services.sh")
    folder = Path(tempfile.mkdtemp(prefix="services.", dir=ROOT / "reports"))
    env = {**os.environ, "BME_SERVICES_DIR": str(folder)}
    subprocess.run([script, "start"], check=True, env=env)
    try:
        lines = (folder / "services.env").read_text().split()
        yield dict(line.split("=", 1) for line in lines)
    finally:
        subprocess.run([script, "stop"], check=True, env=env)


@contextmanager
def production_cluster(servers: int = 2) -> Iterator[List[str]]:
    logs = LOGS / "production"
    logs.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        services = stack.enter_context(test_services())
        env = {
            **os.environ,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "BME_DATABASE_URL": services["BME_TEST_POSTGRES_URL"],
            "BME_REDIS_HOST": services["BME_TEST_REDIS_HOST"],
            "BME_REDIS_PORT": services["BME_TEST_REDIS_PORT"],
            "BME_REDIS_PASSWORD": services["BME_TEST_REDIS_PASSWORD"],
        }
        action_url = stack.enter_context(action_server(logs, env))
        env["BME_ACTION_ENDPOINT_URL"] = f"{action_url}/webhook"
        yield [
            stack.enter_context(
                rasa_server(
                    logs, env, action_url, endpoints=ROOT / "endpoints.production.yml", name=f"rasa-server-{number}"
                )
            ).rasa_url
            for number in range(1, servers + 1)
        ]


def report_tables(results: Dict[str, Dict[str, Dict]], labels: Dict[str, str]) -> str:
    rows = []
    for setup, by_mode in results.items():
        for mode, summary in by_mode.items():
            rows.append(
                [
                    labels[setup],
                    mode,
                    summary["turns"],
                    f"{summary['turns_per_s']:.1f}",
                    f"{summary['p50']:.0f}",
                    f"{summary['p95']:.0f}",
                    f"{summary['p99']:.0f}",
                    summary["errors"],
                ]
            )
    table = markdown_table(["Set-up", "Mode", "Turns", "Turns/s", "p50 ms", "p95 ms", "p99 ms", "Errors"], rows)
    stock = results["stock"]["saturation"]["turns_per_s"]
    ratios = "\n".join(
        f"- saturation throughput of {labels[setup]} / stock: {results[setup]['saturation']['turns_per_s'] / stock:.2f}"
        for setup in results
        if setup != "stock"
    )
    return f"{table}\n\n{ratios}"


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs, to try the script (numbers not meaningful)")
    args = parser.parse_args(argv)
    labels = {
        "stock": "stock `rasa init`",
        "local": "BME, local profile (1 process, SQLite)",
        "production": "BME, production profile (2 processes, PostgreSQL, Redis lock)",
    }
    results: Dict[str, Dict[str, Dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bme-load-") as name:
        folder = Path(name)
        with stock_assistant(folder) as url:
            results["stock"] = measure([url], STOCK_CONVERSATIONS, "stock", args.quick)
        with local_assistant(
            LOGS / "local", folder / "conversations.db", ROOT / "models" / "bme-assistant.tar.gz"
        ) as assistant:
            results["local"] = measure([assistant.rasa_url], CONVERSATIONS, "local", args.quick)
        with production_cluster() as urls:
            results["production"] = measure(urls, CONVERSATIONS, "production", args.quick)
    report = {"machine": machine(), "modes": [vars(mode) for mode in modes(args.quick)], "results": results}
    print(
        f"\n{report_tables(results, labels)}\n\n{report['machine']['cores']} cores ({report['machine']['cpu']}), "
        f"{report['machine']['date']}; saved in {save_report('load', report).relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
