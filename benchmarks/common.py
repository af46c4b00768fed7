"""What the benchmark scripts share: the machine, latency statistics, the servers and REST turns."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.processes import RunningAssistant, action_server, rasa_server  # noqa: E402

REPORTS = ROOT / "reports" / "benchmarks"
LOGS = REPORTS / "logs"  # servers' and trainings' output, kept after the run


def machine() -> Dict[str, object]:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    return {
        "date": datetime.date.today().isoformat(),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
    }


def latency_ms(seconds: Sequence[float]) -> Dict[str, float]:
    """p50, p95 and p99 in milliseconds."""
    if len(seconds) < 2:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50": 1000 * cuts[49], "p95": 1000 * cuts[94], "p99": 1000 * cuts[98]}


def markdown_table(header: Sequence[str], rows: List[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def run_logged(args: List[str], log: Path, **kwargs) -> None:
    """Run a command, its output going to ``log``."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        result = subprocess.run(args, stdout=output, stderr=subprocess.STDOUT, **kwargs)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args[:3])} failed, see {log}")


def save_report(name: str, report: Dict[str, object]) -> Path:
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{name}.json"
    path.write_text(json.dumps(report, indent=2))
    return path


@contextmanager
def local_assistant(logs: Path, tracker_db: Path, model: Path) -> Iterator[RunningAssistant]:
    """This assistant as `make run` starts it (local profile, SQLite tracker store)."""
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "BME_TRACKER_DB": str(tracker_db)}
    with action_server(logs, env) as action_url:
        env["BME_ACTION_ENDPOINT_URL"] = f"{action_url}/webhook"
        with rasa_server(logs, env, action_url, model=model) as assistant:
            yield assistant
