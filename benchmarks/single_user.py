"""Training time, model size and one user's REST turn latency (`make benchmark`).

    .venv/bin/python benchmarks/single_user.py

1. `rasa train` from scratch: a forced full training into a temporary folder,
   with its own empty cache, so neither models/ nor .rasa/cache is touched;
2. the size of that model archive;
3. one REST turn end to end (HTTP request to reply, action server and SQLite
   tracker store included) for a single user, p50/p95/p99 over ~200 turns of
   scripted conversations, served with the freshly trained model.

Prints a Markdown table and writes reports/benchmarks/single-user.json.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from pathlib import Path

from common import LOGS, ROOT, latency_ms, local_assistant, machine, markdown_table, run_logged, save_report

TURNS = 200
WARM_UP_TURNS = 10
CONVERSATIONS = [
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


def train(out: Path) -> float:
    """Seconds for a full training of the project into ``out``."""
    started = time.monotonic()
    run_logged(
        [
            str(ROOT / ".venv" / "bin" / "rasa"),
            "train",
            "--force",
            "--fixed-model-name",
            "bme-assistant",
            "--out",
            str(out),
        ],
        LOGS / "single-user-train.log",
        cwd=ROOT,
        env={**os.environ, "RASA_CACHE_DIRECTORY": str(out / "cache")},
    )
    return time.monotonic() - started


def turn_latencies(assistant, turns: int) -> list:
    """Seconds per turn, one user going through the scripted conversations again and again."""
    messages = (
        (f"single-{number}", message)
        for number, conversation in enumerate(itertools.cycle(CONVERSATIONS))
        for message in conversation
    )
    latencies = []
    for sender, message in itertools.islice(messages, turns):
        started = time.monotonic()
        assert assistant.send(sender, message), f"no reply to {message!r}"
        latencies.append(time.monotonic() - started)
    return latencies


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bme-benchmark-") as folder:
        out = Path(folder)
        train_seconds = train(out)
        model = out / "bme-assistant.tar.gz"
        size_mb = model.stat().st_size / 1e6
        with local_assistant(LOGS / "single-user", out / "conversations.db", model) as assistant:
            turn_latencies(assistant, WARM_UP_TURNS)
            latency = latency_ms(turn_latencies(assistant, TURNS))
    report = {
        "machine": machine(),
        "train_seconds": train_seconds,
        "model_mb": size_mb,
        "turns": TURNS,
        "turn_ms": latency,
    }
    print(
        markdown_table(
            ["Measure", "Value"],
            [
                ["`rasa train` from scratch", f"{train_seconds:.0f} s"],
                ["Model archive", f"{size_mb:.1f} MB"],
                [
                    f"REST turn, one user, p50 / p95 / p99 ({TURNS} turns)",
                    f"{latency['p50']:.0f} / {latency['p95']:.0f} / {latency['p99']:.0f} ms",
                ],
            ],
        )
    )
    print(
        f"\n{report['machine']['cores']} cores ({report['machine']['cpu']}), {report['machine']['date']}; "
        f"saved in {save_report('single-user', report).relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()
