"""The start-up guard: the Rasa server refuses versions its reaches into internals were not checked with."""

import re

import pytest

from server.internals import (
    DOC,
    REACHES,
    TESTED_VERSIONS,
    UntestedVersions,
    refuse_untested_versions,
    untested_versions,
)
from tests.processes import ROOT


def installed_except(**versions):
    """The tested versions, but for ``versions`` (package name with _ for -; None: not installed)."""
    changed = {package.replace("_", "-"): version for package, version in versions.items()}
    return lambda package: changed.get(package, TESTED_VERSIONS[package])


def doc_table_internals():
    """The first column of the doc's table."""
    return re.findall(r"^\| `([^`]+)` \|", (ROOT / DOC).read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_the_installed_versions_are_the_tested_ones():
    assert untested_versions() == {}
    refuse_untested_versions()


def test_another_rasa_version_is_refused_naming_every_reach_into_rasa():
    with pytest.raises(UntestedVersions) as refused:
        refuse_untested_versions(installed_except(rasa="3.7.0"))
    message = str(refused.value)
    assert "rasa 3.7.0 (tested: 3.6.21)" in message
    assert DOC in message
    for reach in REACHES:
        assert f"{reach.internal} ({reach.where})" in message


def test_another_socketio_version_names_only_the_reaches_into_socketio():
    with pytest.raises(UntestedVersions) as refused:
        refuse_untested_versions(installed_except(python_socketio="6.0.0"))
    named = [reach.internal for reach in REACHES if reach.internal in str(refused.value)]
    assert named == ["SocketIOInput.blueprint handlers"]


def test_a_missing_package_is_refused():
    with pytest.raises(UntestedVersions, match="python-socketio not installed"):
        refuse_untested_versions(installed_except(python_socketio=None))


def test_the_refusal_is_no_import_error_which_rasa_would_pass_over():
    assert not issubclass(UntestedVersions, ImportError)


def test_every_reach_depends_on_tested_packages_only():
    assert {package for reach in REACHES for package in reach.packages} <= set(TESTED_VERSIONS)


def test_the_doc_explains_exactly_the_reaches_the_guard_names():
    assert doc_table_internals() == [reach.internal for reach in REACHES]


def test_the_doc_states_the_tested_versions():
    text = (ROOT / DOC).read_text(encoding="utf-8")
    for package, version in TESTED_VERSIONS.items():
        assert f"**{package} {version}**" in text
