"""Start the real action server and Rasa server on loopback ports for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "bme-assistant.tar.gz"
START_TIMEOUT_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, process: subprocess.Popen, what: str, log: Path) -> None:
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


def start_process(args: List[str], log: Path, env: Dict[str, str], cwd: Path = ROOT) -> subprocess.Popen:
    handle = log.open("w")
    # Unbuffered, so that the log holds what the process printed when a test reads it.
    env = {**env, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(args, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, env=env)


def stop_process(process: Optional[subprocess.Popen]) -> None:
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


def answers_hello(assistant: RunningAssistant) -> bool:
    return bool(assistant.send("startup-probe", "hello", timeout=10))


@contextmanager
def action_server(
    logs: Path, env: Dict[str, str], port: Optional[int] = None, name: str = "action-server"
) -> Iterator[str]:
    """The action server on 127.0.0.1 (on ``port``, else a free one); yields its base URL."""
    port = port or free_port()
    log = logs / f"{name}.log"
    process = start_process(
        [str(BIN / "rasa"), "run", "actions", "--port", str(port), "--actions", "actions"],
        log,
        {**env, "SANIC_HOST": "127.0.0.1"},
    )
    try:
        wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok, process, "action server", log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


@contextmanager
def rasa_server(
    logs: Path,
    env: Dict[str, str],
    action_url: str = "",
    model: Path = MODEL,
    credentials: Path = ROOT / "credentials.yml",
    endpoints: Path = ROOT / "endpoints.yml",
    cors_origins: Sequence[str] = (),
    name: str = "rasa-server",
    cwd: Path = ROOT,
    ready: Callable[[RunningAssistant], bool] = answers_hello,
) -> Iterator[RunningAssistant]:
    """A Rasa server on a free 127.0.0.1 port, once ``ready`` (by default: once it answers a first message)."""
    port = free_port()
    log = logs / f"{name}.log"
    process = start_process(
        [
            str(BIN / "rasa"),
            "run",
            "--model",
            str(model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--credentials",
            str(credentials),
            "--endpoints",
            str(endpoints),
            *(["--cors", *cors_origins] if cors_origins else []),
        ],
        log,
        env,
        cwd,
    )
    try:
        assistant = RunningAssistant(f"http://127.0.0.1:{port}", action_url)
        wait_until(lambda: ready(assistant), process, "Rasa server", log)
        yield assistant
    finally:
        stop_process(process)


@contextmanager
def running_assistant(
    logs: Path,
    credentials: Path = ROOT / "credentials.yml",
    endpoints: Path = ROOT / "endpoints.yml",
    extra_env: Optional[Dict[str, str]] = None,
    cors_origins: Sequence[str] = (),
    action_url: Optional[str] = None,
) -> Iterator[RunningAssistant]:
    """Action server + Rasa server with the trained model, both on 127.0.0.1.

    ``cors_origins``: web pages on other origins allowed to call the Rasa server.
    ``action_url``: a running action server to use (it is stateless) instead of starting one.
    """
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "conversations.db").unlink(missing_ok=True)  # every run starts with no conversations
    action_port = free_port()
    env = {
        **os.environ,
        "BME_ACTION_ENDPOINT_URL": f"{action_url or f'http://127.0.0.1:{action_port}'}/webhook",
        "BME_TRACKER_DB": str(logs / "conversations.db"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        **(extra_env or {}),
    }
    with ExitStack() as stack:
        if action_url is None:
            action_url = stack.enter_context(action_server(logs, env, action_port))
        yield stack.enter_context(
            rasa_server(logs, env, action_url, credentials=credentials, endpoints=endpoints, cors_origins=cors_origins)
        )
