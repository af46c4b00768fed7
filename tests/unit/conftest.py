import shutil

import pytest

from bme.knowledge import KNOWLEDGE_DIR, knowledge_base


@pytest.fixture(scope="session")
def kb():
    return knowledge_base()


@pytest.fixture
def kb_copy(tmp_path):
    """A copy of knowledge/ that a test may break."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
