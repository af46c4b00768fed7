"""Teams app types (SingleTenant, MultiTenant, UserAssignedMSI): each gets its access
token where Microsoft hands it out, checked by the local Bot Framework stand-in, and
a setting that does not fit the type stops the start with the variable to fix."""

import asyncio
import logging
import time

import pytest
import requests
from rasa.shared.utils.io import read_yaml_file

from channels.bot_connector import BotConnector, DeliveryError
from channels.credentials import main as write_credentials
from channels.teams import TeamsInput, TeamsSettingsError, bot_credential
from tests.stubs import BotFrameworkStub

APP_ID = "11111111-aaaa-4bbb-8ccc-222222222222"
TENANT = "33333333-dddd-4eee-8fff-444444444444"
SECRET = "client-secret"
NO_ENVIRONMENT = {}


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def running_stub(tenant="botframework.com"):
    return BotFrameworkStub(APP_ID, SECRET, tenant).running()


def settings(stub, **values):
    """credentials.teams.yml as Rasa reads it, with Microsoft's addresses pointed at the stand-in."""
    return {"login_url": stub.login_url, "managed_identity_url": stub.managed_identity_url, **values}


def reply_through(credential, stub, clock=time.time):
    """Posts one reply as the bot would; returns the replies the Bot Connector accepted."""
    connector = BotConnector(credential, clock=clock)
    asyncio.run(connector.post_activity(stub.service_url, "a:1", {"type": "message", "text": "hi"}))
    return stub.replies("a:1")


def test_a_single_tenant_bot_gets_its_token_from_its_own_tenant():
    with running_stub(TENANT) as stub:
        credential = bot_credential(
            settings(stub, app_type="SingleTenant", app_id=APP_ID, app_password=SECRET, tenant_id=TENANT),
            NO_ENVIRONMENT,
        )
        assert [reply.body["text"] for reply in reply_through(credential, stub)] == ["hi"]
        [token_request] = stub.token_requests()
    assert token_request.method == "POST" and token_request.path == f"/{TENANT}/oauth2/v2.0/token"


def test_a_multi_tenant_bot_gets_its_token_from_botframework_com():
    with running_stub() as stub:
        credential = bot_credential(
            settings(stub, app_type="MultiTenant", app_id=APP_ID, app_password=SECRET), NO_ENVIRONMENT
        )
        assert len(reply_through(credential, stub)) == 1
        [token_request] = stub.token_requests()
    assert token_request.path == "/botframework.com/oauth2/v2.0/token"


def test_a_managed_identity_gets_its_token_from_imds():
    with running_stub() as stub:
        credential = bot_credential(settings(stub, app_type="UserAssignedMSI", app_id=APP_ID), NO_ENVIRONMENT)
        assert len(reply_through(credential, stub)) == 1
        [token_request] = stub.token_requests()
    assert token_request.method == "GET" and token_request.path.startswith("/metadata/identity/oauth2/token?")


def test_a_managed_identity_on_app_service_uses_its_endpoint_until_the_token_expires():
    clock = Clock()
    with running_stub() as stub:
        app_service = {"IDENTITY_ENDPOINT": stub.app_service_endpoint, "IDENTITY_HEADER": stub.IDENTITY_HEADER}
        connector = BotConnector(
            bot_credential(settings(stub, app_type="UserAssignedMSI", app_id=APP_ID), app_service), clock=clock
        )

        async def reply(text):
            await connector.post_activity(stub.service_url, "a:1", {"type": "message", "text": text})

        async def scenario():
            await reply("one")
            await reply("two")
            assert len(stub.token_requests()) == 1  # expires_on, a time, was not taken for a lifetime
            clock.now += stub.LIFETIME_S
            await reply("three")

        asyncio.run(scenario())
        paths = [request.path for request in stub.token_requests()]
        assert [reply.body["text"] for reply in stub.replies("a:1")] == ["one", "two", "three"]
    assert len(paths) == 2 and all(path.startswith("/msi/token?") for path in paths)


@pytest.mark.parametrize(
    "stub_tenant, values, refusal",
    [
        # A single-tenant app registration asking botframework.com, the AADSTS700016 mistake.
        (TENANT, {"app_type": "MultiTenant", "app_password": SECRET}, r"\(400\).*unauthorized_client"),
        (
            "botframework.com",
            {"app_type": "SingleTenant", "app_password": SECRET, "tenant_id": TENANT},
            r"\(400\).*unauthorized_client",
        ),
        (
            TENANT,
            {"app_type": "SingleTenant", "app_password": "wrong", "tenant_id": TENANT},
            r"\(401\).*invalid_client",
        ),
    ],
)
def test_the_stand_in_refuses_a_token_to_the_wrong_credentials(stub_tenant, values, refusal):
    with running_stub(stub_tenant) as stub:
        credential = bot_credential(settings(stub, app_id=APP_ID, **values), NO_ENVIRONMENT)
        with pytest.raises(DeliveryError, match=refusal):
            reply_through(credential, stub)
        assert stub.replies("a:1") == []


def test_the_stand_in_gives_a_managed_identity_token_only_with_the_metadata_header():
    query = {"api-version": "2018-02-01", "resource": "https://api.botframework.com", "client_id": APP_ID}
    with running_stub() as stub:
        without = requests.get(stub.managed_identity_url, params=query, timeout=10)
        with_header = requests.get(stub.managed_identity_url, params=query, headers={"Metadata": "true"}, timeout=10)
    assert without.status_code == 400 and with_header.json()["access_token"] == stub.ACCESS_TOKEN


@pytest.mark.parametrize(
    "values, variable",
    [
        ({"app_type": "SingleTenant", "app_password": SECRET}, "BME_TEAMS_TENANT_ID"),
        ({"app_type": "SingleTenant", "app_password": SECRET, "tenant_id": "https://login/x"}, "BME_TEAMS_TENANT_ID"),
        ({"app_type": "SingleTenant", "tenant_id": TENANT}, "BME_TEAMS_APP_PASSWORD"),
        ({"app_type": "MultiTenant"}, "BME_TEAMS_APP_PASSWORD"),
        ({"app_type": "MultiTenant", "app_password": SECRET, "tenant_id": TENANT}, "BME_TEAMS_TENANT_ID"),
        ({"app_type": "UserAssignedMSI", "app_password": SECRET}, "BME_TEAMS_APP_PASSWORD"),
        ({"app_type": "Multi-Tenant", "app_password": SECRET}, "BME_TEAMS_APP_TYPE"),
        ({"app_password": SECRET, "tenant_id": TENANT}, "BME_TEAMS_APP_TYPE"),
        ({"app_type": "SingleTenant", "app_id": "", "app_password": SECRET, "tenant_id": TENANT}, "BME_TEAMS_APP_ID"),
        ({"app_password": SECRET, "token_url": "https://login.microsoftonline.com/x/oauth2/v2.0/token"}, "token_url"),
    ],
)
def test_settings_that_do_not_fit_the_app_type_stop_the_start(values, variable):
    with pytest.raises(TeamsSettingsError, match=variable):
        TeamsInput.from_credentials({"app_id": APP_ID, **values})


def test_an_unset_app_type_keeps_an_existing_multi_tenant_bot_working_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="channels.teams"):
        credential = bot_credential({"app_id": APP_ID, "app_password": SECRET}, NO_ENVIRONMENT)
    assert credential.token_url == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert "BME_TEAMS_APP_TYPE is not set" in caplog.text


@pytest.mark.parametrize(
    "environment, token_url",
    [
        (
            {"BME_TEAMS_APP_TYPE": "SingleTenant", "BME_TEAMS_APP_PASSWORD": SECRET, "BME_TEAMS_TENANT_ID": TENANT},
            f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token",
        ),
        (
            {"BME_TEAMS_APP_TYPE": "UserAssignedMSI", "BME_TEAMS_APP_PASSWORD": "", "BME_TEAMS_TENANT_ID": ""},
            "http://169.254.169.254/metadata/identity/oauth2/token",
        ),
    ],
)
def test_the_shipped_credentials_read_the_app_type_from_the_environment(environment, token_url, tmp_path, monkeypatch):
    monkeypatch.delenv("IDENTITY_ENDPOINT", raising=False)
    for name, value in {"BME_TEAMS_APP_ID": APP_ID, **environment}.items():
        monkeypatch.setenv(name, value)
    assert write_credentials([str(tmp_path / "credentials.yml")]) == 0
    channel = TeamsInput.from_credentials(read_yaml_file(tmp_path / "credentials.yml")["channels.teams.TeamsInput"])
    assert channel.connector.credential.token_url == token_url
    assert channel.validator.app_id == APP_ID  # incoming tokens: still for this app id, whatever the type
