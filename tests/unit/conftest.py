import pytest

from bme.knowledge import knowledge_base


@pytest.fixture(scope="session")
def kb():
    return knowledge_base()
