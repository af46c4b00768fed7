"""Start the real action server and Rasa server on loopback ports for tests."""
from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "bme-assistant.tar.gz"
START_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(check, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} did not start within {START_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


def _start(args: List[str], log: Path, env: Dict[str, str]) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env)


def _stop(process: Optional[subprocess.Popen]) -> None:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class RunningAssistant:
    def __init__(self, rasa_url: str, action_url: str):
        self.rasa_url = rasa_url
        self.action_url = action_url

    def send(self, sender: str, message: str, timeout: float = 30) -> List[dict]:
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()


@contextmanager
def running_assistant(logs: Path, credentials: Path = ROOT / "credentials.yml",
                      endpoints: Path = ROOT / "endpoints.yml",
                      extra_env: Optional[Dict[str, str]] = None) -> Iterator[RunningAssistant]:
    """Action server + Rasa server with the trained model, both on 127.0.0.1."""
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "conversations.db").unlink(missing_ok=True)  # every run starts with no conversations
    action_port, rasa_port = free_port(), free_port()
    env = {**os.environ, "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
           "TRACKER_DB": str(logs / "conversations.db"), "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
    action = rasa = None
    try:
        action = _start([str(BIN / "rasa"), "run", "actions", "--port", str(action_port), "--actions", "actions"],
                        logs / "action-server.log", env)
        _wait_until(lambda: requests.get(f"http://127.0.0.1:{action_port}/health", timeout=2).ok,
                    action, "action server", logs / "action-server.log")
        rasa = _start([str(BIN / "rasa"), "run", "--model", str(MODEL), "--interface", "127.0.0.1",
                       "--port", str(rasa_port), "--credentials", str(credentials), "--endpoints", str(endpoints)],
                      logs / "rasa-server.log", env)
        assistant = RunningAssistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{action_port}")
        _wait_until(lambda: bool(assistant.send("startup-probe", "hello", timeout=10)),
                    rasa, "Rasa server", logs / "rasa-server.log")
        yield assistant
    finally:
        _stop(rasa)
        _stop(action)
