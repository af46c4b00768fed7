import itertools

import pytest

from tests.servers import ROOT, running_assistant


@pytest.fixture(scope="session")
def assistant():
    with running_assistant(ROOT / "reports" / "integration-logs") as running:
        yield running


_ids = itertools.count()


@pytest.fixture
def chat(assistant):
    """A fresh conversation: chat("message") returns the bot's texts."""
    sender = f"user-{next(_ids)}"

    def send(message):
        return assistant.send(sender, message)

    return send
