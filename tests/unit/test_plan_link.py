"""The printable plan's link: only this assistant can make one, it names no conversation, it expires."""

import base64
import stat
from datetime import timedelta

import pytest

from bme.plan_link import (
    PAGE_PATH,
    ExpiredLink,
    InvalidLink,
    PlanLinks,
    PlanLinkSettingsError,
    _local_secret,
    check_settings,
    plan_links,
)

SECRET = "a-test-secret-that-is-long-enough-0123456789"
NOW = 1_800_000_000.0
DAY = 86_400
LINKS = PlanLinks(SECRET, timedelta(days=7), "https://bme.example.org")


def test_a_link_opens_its_own_conversation_until_it_expires():
    url = LINKS.url("conversation-a", now=NOW)
    token = url.removeprefix("https://bme.example.org" + PAGE_PATH)
    opened = LINKS.open(token, now=NOW + 7 * DAY - 1)
    assert opened.conversation_id == "conversation-a"
    assert opened.expires.timestamp() == NOW + 7 * DAY


def test_an_expired_link_is_refused():
    token = LINKS.token("conversation-a", now=NOW)
    with pytest.raises(ExpiredLink):
        LINKS.open(token, now=NOW + 7 * DAY + 1)


def test_a_shorter_lifetime_also_ends_older_links():
    token = LINKS.token("conversation-a", now=NOW)
    with pytest.raises(ExpiredLink):
        PlanLinks(SECRET, timedelta(days=1), LINKS.public_url).open(token, now=NOW + 2 * DAY)


@pytest.mark.parametrize("position", [0, 20, 60, -5])
def test_a_changed_character_makes_the_link_invalid(position):
    token = LINKS.token("conversation-a", now=NOW)
    changed = "A" if token[position] != "A" else "B"
    tampered = token[:position] + changed + token[position:][1:]
    with pytest.raises(InvalidLink):
        LINKS.open(tampered, now=NOW)


@pytest.mark.parametrize("token", ["", "not-a-token", "gAAAAA", "x" * 200])
def test_garbage_is_invalid(token):
    with pytest.raises(InvalidLink):
        LINKS.open(token, now=NOW)


def test_a_link_made_with_another_secret_is_invalid():
    other = PlanLinks("another-secret-that-is-long-enough-9876543210", timedelta(days=7), LINKS.public_url)
    with pytest.raises(InvalidLink):
        LINKS.open(other.token("conversation-a", now=NOW), now=NOW)


def test_a_link_dated_in_the_future_is_invalid():
    with pytest.raises(InvalidLink):
        LINKS.open(LINKS.token("conversation-a", now=NOW + DAY), now=NOW)


def test_links_of_two_conversations_differ_and_neither_shows_its_conversation():
    token_a, token_b = LINKS.token("conversation-a", now=NOW), LINKS.token("conversation-b", now=NOW)
    assert LINKS.open(token_b, now=NOW).conversation_id == "conversation-b"
    assert token_a != token_b
    for token in (token_a, token_b):
        assert b"conversation" not in base64.urlsafe_b64decode(token)


def test_the_secret_is_not_in_the_settings_repr():
    assert SECRET not in repr(LINKS)


def test_production_needs_a_secret_and_the_public_url():
    production = {"BME_PROFILE": "production", "BME_PUBLIC_URL": "https://bme.example.org"}
    with pytest.raises(PlanLinkSettingsError, match="BME_PLAN_LINK_SECRET"):
        check_settings(production)
    with pytest.raises(PlanLinkSettingsError, match="BME_PUBLIC_URL"):
        check_settings({"BME_PROFILE": "production", "BME_PLAN_LINK_SECRET": SECRET})
    check_settings({**production, "BME_PLAN_LINK_SECRET": SECRET})


@pytest.mark.parametrize(
    "env, problem",
    [
        ({"BME_PLAN_LINK_SECRET": "too-short"}, "at least 32 characters"),
        ({"BME_PLAN_LINK_DAYS": "a week"}, "BME_PLAN_LINK_DAYS"),
        ({"BME_PLAN_LINK_DAYS": "0"}, "BME_PLAN_LINK_DAYS"),
        ({"BME_PLAN_LINK_DAYS": "400"}, "BME_PLAN_LINK_DAYS"),
    ],
)
def test_wrong_settings_stop_the_start_up(env, problem):
    with pytest.raises(PlanLinkSettingsError, match=problem):
        check_settings(env)


def test_the_settings_from_the_environment():
    links = plan_links(
        {"BME_PLAN_LINK_SECRET": SECRET, "BME_PLAN_LINK_DAYS": "2.5", "BME_PUBLIC_URL": "https://bme.example.org/"}
    )
    assert links.lifetime == timedelta(days=2.5)
    assert links.url("c", now=NOW).startswith("https://bme.example.org/webhooks/plan/")
    assert links.open(LINKS.token("c", now=NOW), now=NOW).conversation_id == "c"  # the same secret


def test_local_servers_share_a_secret_file_only_its_owner_reads(tmp_path):
    path = tmp_path / ".plan-link-secret"
    first = _local_secret(path)
    assert len(first) >= 32 and _local_secret(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no draft left behind
