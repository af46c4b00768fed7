import pytest

from actions.knowledge import knowledge_base


@pytest.fixture(scope="session")
def kb():
    return knowledge_base()
