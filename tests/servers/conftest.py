"""One action server and one Rasa server with every channel (REST, web chat, Slack,
Teams), local stand-ins for Slack's Web API and the Bot Framework, and the chat
page server, shared by all server tests. The credentials are assembled as
scripts/serve.sh does, from the project's files and environment variables, plus
the stand-ins' addresses."""

import os

import pytest
import requests

from channels.credentials import assemble, write
from tests.processes import BIN, ROOT, free_port, running_assistant, start_process, stop_process, wait_until
from tests.servers.clients import SLACK_SIGNING_SECRET, TEAMS_APP_ID, next_id
from tests.stubs import BotFrameworkStub, SlackApiStub

LOGS = ROOT / "reports" / "server-logs"
TEAMS_APP_PASSWORD = "test-app-password"
TEAMS_TENANT_ID = "00000000-test-tenant-id"
CHANNEL_ENV = {
    "BME_SLACK_TOKEN": "xoxb-test-token",
    "BME_SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
    "BME_TEAMS_APP_ID": TEAMS_APP_ID,
    "BME_TEAMS_APP_PASSWORD": TEAMS_APP_PASSWORD,
    "BME_TEAMS_APP_TYPE": "SingleTenant",  # what every new Azure Bot is
    "BME_TEAMS_TENANT_ID": TEAMS_TENANT_ID,
}


@pytest.fixture(scope="session")
def slack_api():
    with SlackApiStub().running() as stub:
        yield stub


@pytest.fixture(scope="session")
def bot_framework():
    with BotFrameworkStub(TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID).running() as stub:
        yield stub


@pytest.fixture(scope="session")
def page_port():
    return free_port()


@pytest.fixture(scope="session")
def assistant(slack_api, bot_framework, page_port):
    credentials = assemble(CHANNEL_ENV)
    credentials["channels.slack.SlackInput"]["api_url"] = f"{slack_api.url}/api/"
    credentials["channels.teams.TeamsInput"].update(
        openid_metadata_url=bot_framework.openid_metadata_url, login_url=bot_framework.login_url
    )
    LOGS.mkdir(parents=True, exist_ok=True)
    write(credentials, LOGS / "credentials.yml")
    with running_assistant(
        LOGS,
        credentials=LOGS / "credentials.yml",
        extra_env=CHANNEL_ENV,
        cors_origins=[f"http://127.0.0.1:{page_port}"],
    ) as running:
        yield running


@pytest.fixture
def chat(assistant):
    """A fresh REST conversation: chat("message") returns the bot's replies."""
    sender = f"user-{next_id()}"

    def send(message):
        return assistant.send(sender, message)

    return send


@pytest.fixture
def dm():
    """A new Slack direct-message conversation: its user id and channel id."""
    number = next_id()
    return f"U{number:06d}", f"D{number:06d}"


@pytest.fixture
def conversation():
    """A new Teams conversation id and its user."""
    number = next_id()
    return f"a:conversation-{number}", {"id": f"29:user-{number}", "name": "Pat"}


@pytest.fixture(scope="session")
def chat_page(assistant, page_port):
    """The chat page's URL, served by web/serve.py as `make run` does."""
    url = f"http://127.0.0.1:{page_port}/"
    log = LOGS / "web-page.log"
    server = start_process(
        [str(BIN / "python"), "-m", "web.serve", "--port", str(page_port), "--rasa-url", assistant.rasa_url],
        log,
        dict(os.environ),
    )
    try:
        wait_until(lambda: requests.get(url, timeout=2).ok, server, "chat page server", log)
        yield url
    finally:
        stop_process(server)
