"""What the shipped configuration allows: no HTTP API without a token, secrets only from the environment."""

import re
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import yaml

from tests.processes import ROOT

LAUNCHERS = [
    ROOT / "Makefile",
    ROOT / ".ci" / "run",
    *ROOT.glob("scripts/*.sh"),
    *ROOT.glob("deploy/*"),
]
CONFIGS = [*ROOT.glob("endpoints*.yml"), *ROOT.glob("credentials*.yml"), *ROOT.glob("deploy/*.yml")]
SECRET_KEY = re.compile(r"pass(word)?|secret|token|api_?key", re.IGNORECASE)
FROM_ENVIRONMENT = re.compile(r"^\$\{\w+(:?[-?][^}]*)?\}$")  # ${NAME}, ${NAME:-default}, ${NAME:?message}


def settings(node, path="") -> Iterator[Tuple[str, object]]:
    """Every (key path, value) of a YAML document, in lists too."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from settings(value, f"{path}.{key}")
            yield f"{path}.{key}", value
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from settings(value, f"{path}[{index}]")


def test_the_files_exist():
    assert ROOT / "endpoints.production.yml" in CONFIGS and ROOT / "scripts" / "serve.sh" in LAUNCHERS


@pytest.mark.parametrize("path", LAUNCHERS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_http_api_is_never_enabled_without_a_token(path: Path):
    for line in path.read_text().splitlines():
        if "--enable-api" in line or "enable_api" in line:
            assert "--auth-token" in line or "--jwt-secret" in line, f"{path}: {line}"


@pytest.mark.parametrize("path", CONFIGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_secrets_come_only_from_the_environment(path: Path):
    for document in yaml.safe_load_all(path.read_text()):
        for key, value in settings(document):
            if isinstance(value, str) and SECRET_KEY.search(key.rsplit(".", 1)[-1]):
                assert FROM_ENVIRONMENT.match(value), f"{path}: {key} is set in the file"
            if isinstance(value, str) and re.search(r"://[^/\s]*:[^/\s@]*@", value):
                assert "${" in value, f"{path}: {key} holds a password in a URL"


# Variables that Rasa, Sanic, TensorFlow, SQLAlchemy, CI or Azure hosts define; the project's own start with BME_.
THIRD_PARTY_VARIABLES = {
    "IDENTITY_ENDPOINT",  # Azure App Service's managed identity endpoint (channels/teams.py)
    "IDENTITY_HEADER",
    "CI",
    "LOG_LEVEL",
    "SANIC_WORKERS",
    "ACTION_SERVER_SANIC_WORKERS",
    "TF_CPP_MIN_LOG_LEVEL",
    "SQLALCHEMY_SILENCE_UBER_WARNING",
}
PYTHON_READS = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
CONFIG_READS = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")
MAKE_EXPORTS = re.compile(r"^export ([A-Z][A-Z0-9_]*)", re.MULTILINE)
CODE_FOLDERS = (
    "actions",
    "benchmarks",
    "bme",
    "channels",
    "components",
    "scripts",
    "server",
    "tests",
    "trainer",
    "web",
)


def variables_read() -> Iterator[Tuple[str, str]]:
    """(file, variable) for every environment variable the code, the configuration and the Makefile read."""
    sources = [
        *((path, PYTHON_READS) for folder in CODE_FOLDERS for path in (ROOT / folder).rglob("*.py")),
        *((path, CONFIG_READS) for path in CONFIGS),
        (ROOT / "Makefile", MAKE_EXPORTS),
    ]
    for path, pattern in sources:
        if "node_modules" not in path.parts:
            for name in pattern.findall(path.read_text(encoding="utf-8")):
                yield str(path.relative_to(ROOT)), name


def test_the_projects_environment_variables_share_one_prefix():
    read = list(variables_read())
    assert ("endpoints.yml", "BME_TRACKER_DB") in read  # the scan finds what it looks for
    strays = [(path, name) for path, name in read if not name.startswith("BME_") and name not in THIRD_PARTY_VARIABLES]
    assert strays == []
