"""The Bot Framework client on its own, against the local stand-in: when it fetches
signing keys and access tokens (the server tests cover what it accepts)."""

import asyncio

import pytest

from channels.bot_connector import AuthError, BotConnector, ClientSecretCredential, TokenValidator
from tests.stubs import BotFrameworkStub

APP_ID = "unit-test-app"


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def stub():
    with BotFrameworkStub(APP_ID).running() as running:
        yield running


def fetches(stub, path):
    return sum(request.path == path for request in stub.requests)


def test_keys_are_fetched_once_then_daily_and_early_only_for_a_new_key(stub):
    clock = Clock()
    validator = TokenValidator(APP_ID, stub.openid_metadata_url, clock=clock)
    activity = {"serviceUrl": stub.service_url, "channelId": "msteams"}
    unknown_key = stub.token(key_id="rotated-key")

    async def scenario():
        assert (await validator.check(f"Bearer {stub.token()}", activity))["aud"] == APP_ID
        await validator.check(f"Bearer {stub.token()}", activity)
        assert fetches(stub, "/keys") == 1
        with pytest.raises(AuthError, match="unknown key"):
            await validator.check(f"Bearer {unknown_key}", activity)
        assert fetches(stub, "/keys") == 1  # fetched a moment ago: not again
        clock.now += 301
        with pytest.raises(AuthError, match="unknown key"):
            await validator.check(f"Bearer {unknown_key}", activity)
        assert fetches(stub, "/keys") == 2
        clock.now += 24 * 3600 + 1
        await validator.check(f"Bearer {stub.token()}", activity)
        assert fetches(stub, "/keys") == 3

    asyncio.run(scenario())


def test_a_key_endorsed_for_teams_does_not_sign_other_channels(stub):
    validator = TokenValidator(APP_ID, stub.openid_metadata_url)
    activity = {"serviceUrl": stub.service_url, "channelId": "webchat"}
    with pytest.raises(AuthError, match="not endorsed"):
        asyncio.run(validator.check(f"Bearer {stub.token()}", activity))


def test_replies_share_one_access_token_until_it_expires(stub):
    clock = Clock()
    credential = ClientSecretCredential(APP_ID, stub.app_password, stub.tenant, stub.login_url)
    connector = BotConnector(credential, clock=clock)

    async def scenario():
        for text in ("one", "two"):
            await connector.post_activity(stub.service_url, "a:1", {"type": "message", "text": text})
        assert len(stub.token_requests()) == 1
        clock.now += 3600
        await connector.post_activity(stub.service_url, "a:1", {"type": "message", "text": "three"})
        assert len(stub.token_requests()) == 2

    asyncio.run(scenario())
    assert [reply.body["text"] for reply in stub.replies("a:1")] == ["one", "two", "three"]
