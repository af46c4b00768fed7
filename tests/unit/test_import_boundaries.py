"""The folders are the processes: the core imports no Rasa, and one process's glue does not reach into another's."""

import ast
from pathlib import Path
from typing import Iterator, Set, Tuple

import pytest

from tests.processes import ROOT

PROJECT_PACKAGES = {"actions", "benchmarks", "bme", "channels", "components", "scripts", "server", "tests", "trainer"}
RASA = {"rasa", "rasa_sdk", "sanic", "socketio"}
# package -> what it must not import
FORBIDDEN = {
    "bme": RASA | PROJECT_PACKAGES - {"bme"},
    "actions": {"rasa", "sanic", "socketio"} | PROJECT_PACKAGES - {"actions", "bme"},
    "components": {"rasa_sdk"} | PROJECT_PACKAGES - {"components", "bme"},
    "channels": {"rasa_sdk"} | PROJECT_PACKAGES - {"channels", "bme", "server"},
    "server": {"rasa_sdk"} | PROJECT_PACKAGES - {"server", "bme"},
    "trainer": {"rasa_sdk"} | PROJECT_PACKAGES - {"trainer", "bme"},
    "web": RASA | PROJECT_PACKAGES - {"bme"},
}


def imported_packages(path: Path) -> Iterator[Tuple[int, str]]:
    """(line, top-level package) of every import in the file, inside functions too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def violations(package: str, forbidden: Set[str]) -> Iterator[str]:
    for path in sorted(path for path in (ROOT / package).rglob("*.py") if "node_modules" not in path.parts):
        for line, imported in imported_packages(path):
            if imported in forbidden:
                yield f"{path.relative_to(ROOT)}:{line} imports {imported}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_package_imports_only_what_its_process_may(package):
    assert list(violations(package, FORBIDDEN[package])) == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("import os\n\ndef late():\n    from rasa.core import agent\n")
    assert list(imported_packages(module)) == [(1, "os"), (4, "rasa")]
