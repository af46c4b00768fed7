"""What the benchmark scripts share: the machine, the stock `rasa init` project, training, the two servers."""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.processes import BIN, action_server, rasa_server  # noqa: E402

REPORTS = ROOT / "reports" / "benchmarks"
LOGS = REPORTS / "logs"  # servers' and trainings' output, kept after the run
SETUPS = ("stock", "bme")  # the order of every round: A B A B ...
# `rasa init` copies this folder; copying it ourselves skips the training `rasa init` would add.
STOCK_TEMPLATE = Path(importlib.util.find_spec("rasa").submodule_search_locations[0]) / "cli" / "initial_project"


def machine() -> Dict[str, object]:
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if line.startswith("model name")
    ]
    return {
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
        "cpu": models[0] if models else platform.processor(),
        "python": platform.python_version(),
    }


def machine_line() -> str:
    box = machine()
    return f"{box['date']}, {box['cores']} cores ({box['cpu']})"


def markdown_table(header: Sequence[str], rows: List[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def save_report(name: str, report: Dict[str, object]) -> Path:
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **report}, indent=2))
    return path


def stock_project(folder: Path) -> Path:
    """A fresh `rasa init` project in ``folder``/stock (untrained)."""
    project = folder / "stock"
    shutil.copytree(STOCK_TEMPLATE, project)
    return project


def train(project: Path, config: Path, out: Path, name: str) -> float:
    """Seconds for `rasa train` from scratch: forced, with an empty cache of its own."""
    log = LOGS / f"train-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rasa-cache-") as cache, log.open("w") as output:
        started = time.monotonic()
        subprocess.run(
            [str(BIN / "rasa"), "train", "--force", "--config", str(config), "--out", str(out)]
            + ["--fixed-model-name", name],
            cwd=project,
            env={**os.environ, "RASA_CACHE_DIRECTORY": cache, "TF_CPP_MIN_LOG_LEVEL": "2"},
            stdout=output,
            stderr=subprocess.STDOUT,
            check=True,
        )
        return time.monotonic() - started


@contextmanager
def both_assistants(folder: Path, models: Dict[str, Path], stock: Path) -> Iterator[Dict[str, str]]:
    """The stock assistant (REST, in-memory tracker store) and this one as `make run` starts it
    (action server, SQLite tracker store), both running; yields their base URLs by set-up."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "BME_TRACKER_DB": str(folder / "conversations.db")}
    with (
        rasa_server(
            LOGS,
            env,
            model=models["stock"],
            credentials=stock / "credentials.yml",
            endpoints=stock / "endpoints.yml",
            name="stock-rasa-server",
            cwd=stock,
        ) as stock_assistant,
        action_server(LOGS, env) as action_url,
    ):
        env["BME_ACTION_ENDPOINT_URL"] = f"{action_url}/webhook"
        with rasa_server(LOGS, env, action_url, model=models["bme"]) as assistant:
            yield {"stock": stock_assistant.rasa_url, "bme": assistant.rasa_url}
