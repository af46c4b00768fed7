"""scripts/test-services.sh itself: both services start from a private folder (one PostgreSQL's user cannot
enter when the script runs as root), and a service that fails stops the script with its own message,
leaving nothing running. Needs no model."""

import os
import resource
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional

import pytest
import redis
import sqlalchemy as sa

from tests.needs import require_or_skip
from tests.processes import ROOT

SCRIPT = ROOT / "scripts" / "test-services.sh"
UNREACHABLE_ADDRESS = "203.0.113.1"  # TEST-NET-3: never an address of this machine


@pytest.fixture(autouse=True)
def servers_installed() -> None:
    if not (list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")) or shutil.which("pg_ctl")):
        require_or_skip("PostgreSQL server binaries are missing: scripts/system-packages.sh")
    if not shutil.which("redis-server"):
        require_or_skip("redis-server is missing: scripts/system-packages.sh")


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    """BME_SERVICES_DIR inside a folder only its owner may enter, like a checkout under /root; stopped afterwards
    whatever the test saw."""
    tmp_path.chmod(0o700)
    yield tmp_path / "services"
    if (tmp_path / "services").exists():
        run("stop", tmp_path / "services")


def run(
    command: str, folder: Path, path: Optional[List[str]] = None, limit: Optional[Callable[[], None]] = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "BME_SERVICES_DIR": str(folder), "PATH": os.pathsep.join(path or os.get_exec_path())}
    return subprocess.run(
        [str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=180, preexec_fn=limit
    )


def answers(port: str) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", int(port))) == 0


def orphans() -> List[str]:
    """PostgreSQL and Redis servers still running in a deleted folder: ones a stop left behind."""
    found = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            name, cwd = (process / "comm").read_text().strip(), os.readlink(process / "cwd")
        except OSError:
            continue
        if name in ("postgres", "redis-server") and cwd.endswith(" (deleted)"):
            found.append(f"{name} (pid {process.name}) in {cwd}")
    return found


def test_both_services_answer_when_started_from_a_private_folder(folder: Path):
    started = run("start", folder)
    assert started.returncode == 0, started.stderr
    assert "PostgreSQL on 127.0.0.1:" in started.stdout
    env: Dict[str, str] = dict(line.split("=", 1) for line in (folder / "services.env").read_text().split())
    data = Path((folder / "postgres.dir").read_text().strip())
    engine = sa.create_engine(env["BME_TEST_POSTGRES_URL"])
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1
    engine.dispose()
    port, password = env["BME_TEST_REDIS_PORT"], env["BME_TEST_REDIS_PASSWORD"]
    assert redis.Redis(host=env["BME_TEST_REDIS_HOST"], port=int(port), password=password).ping()

    stopped = run("stop", folder)
    assert stopped.returncode == 0, stopped.stderr
    assert not folder.exists() and not data.exists()
    assert not answers(sa.engine.make_url(env["BME_TEST_POSTGRES_URL"]).port) and not answers(port)


def test_a_postgresql_failure_stops_the_script_with_initdbs_message(folder: Path):
    # PostgreSQL cannot write its 16 MB WAL files under a 2 MB file-size limit.
    started = run("start", folder, limit=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20)))
    assert started.returncode == 1
    assert "PostgreSQL: initdb failed" in started.stderr and "initdb.log" in started.stderr
    assert "File too large" in started.stderr  # initdb's own words
    assert "PostgreSQL on" not in started.stdout
    assert not folder.exists() and orphans() == []


def test_a_redis_failure_stops_postgresql_too(folder: Path, tmp_path: Path):
    shims = tmp_path / "bin"
    shims.mkdir()
    shim = shims / "redis-server"
    shim.write_text(f'#!/bin/sh\nexec {shutil.which("redis-server")} "$@" --bind {UNREACHABLE_ADDRESS}\n')
    shim.chmod(0o755)
    started = run("start", folder, path=[str(shims), *os.get_exec_path()])
    assert started.returncode == 1
    assert "Redis did not start" in started.stderr
    assert f"socket {UNREACHABLE_ADDRESS}:" in started.stderr  # Redis's own log line
    assert "PostgreSQL on" not in started.stdout
    assert not folder.exists() and orphans() == []
