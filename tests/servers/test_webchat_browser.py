"""The chat page in a real browser (tests/servers/browser.py): a visitor's conversation."""

import json
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from bme.knowledge import knowledge_base
from channels.inbound import MAX_MESSAGE_CHARS
from tests.servers.browser import ask, bot_messages, chromium, visitor
from tests.servers.conftest import LOGS

KB = knowledge_base()
# "does iloprost help?" is answered by this question card, its question as the heading.
ILOPROST_HEADING = KB.questions["iloprost_works"].question
DISCLAIMER = KB.disclaimers.clinical
AUDIENCE_TITLES = [button.title for button in KB.messages["ask_audience"].buttons]


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, chat_page):
    """A new visitor (empty browser storage) on the chat page."""
    with visitor(browser, chat_page) as page:
        yield page


def test_a_visitor_chats_with_buttons_citations_and_the_disclaimer(page):
    expect(page.locator("#notice")).to_contain_text(DISCLAIMER)
    expect(page.locator(".rw-from-client")).to_have_count(0)  # the notice comes before any message

    expect(bot_messages(page).first).to_contain_text("I answer questions about bone marrow edema")
    expect(page.locator(".rw-reply")).to_have_text(AUDIENCE_TITLES)
    page.locator(".rw-reply", has_text="I'm a patient").click()
    expect(page.locator(".rw-from-client").last).to_have_text("I'm a patient")
    expect(bot_messages(page).last).to_contain_text("plain language")

    ask(page, "does iloprost help?")
    answer = bot_messages(page).last
    expect(answer.locator("strong")).to_have_text(ILOPROST_HEADING)
    bullets = answer.locator("li")
    expect(bullets.first).to_contain_text(re.compile(r"\[1\]"))
    citation = bullets.first.locator("a", has_text="[1]")  # opens the source beside the chat
    expect(citation).to_have_attribute("href", re.compile(r"^https://"))
    expect(citation).to_have_attribute("target", "_blank")
    for bullet in bullets.all():
        expect(bullet).to_contain_text(re.compile(r"\w.*\[\d+\]$"))
    expect(answer.locator("p", has_text="Sources:")).to_contain_text(re.compile(r"^Sources: \[1\] .+; \[2\] "))
    expect(answer.locator("em").last).to_have_text(DISCLAIMER)

    page.reload()  # the conversation stays, on the page and on the server
    expect(page.locator(".rw-from-response strong").last).to_have_text(ILOPROST_HEADING)
    ask(page, "what are its side effects?")
    expect(bot_messages(page).last.locator("strong")).to_contain_text("iloprost", ignore_case=True)


def test_an_over_long_message_gets_a_notice_and_the_chat_goes_on(page):
    expect(page.locator(".rw-reply").first).to_be_visible()
    ask(page, "x" * (MAX_MESSAGE_CHARS + 1))
    expect(bot_messages(page).last).to_contain_text(f"please keep it under {MAX_MESSAGE_CHARS} characters")
    ask(page, "what is bone marrow edema?")
    expect(bot_messages(page).last).to_contain_text("Sources: [1]")


def test_the_widgets_custom_data_reaches_rasa(page):
    expect(page.locator(".rw-reply").first).to_be_visible()
    session_id = page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    with sqlite3.connect(LOGS / "conversations.db") as store:
        rows = store.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (session_id,))
        metadata = [json.loads(data).get("metadata") for (data,) in rows]
    assert metadata and all(item.get("language") == "en" for item in metadata)
