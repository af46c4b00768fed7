"""The printable plan against the real servers: made over REST, opened by its link, in Chromium too.

The servers run in the local profile without BME_PLAN_LINK_SECRET, so they and
this test share the secret in .plan-link-secret: the test can make an expired link."""

import html
import re
import time
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from bme.knowledge import knowledge_base
from bme.plan_link import PAGE_PATH, plan_links
from tests.processes import ROOT
from tests.servers.browser import ask, bot_messages, chromium, visitor
from tests.servers.clients import direct_message, next_id, signed_post
from tests.stubs import SlackApiStub

KB = knowledge_base()
WORDS = KB.plan_page
SCREENSHOT = ROOT / "reports" / "plan-page-print.png"
PDF = ROOT / "reports" / "plan-page.pdf"
HIP_PLAN = [
    "My MRI shows bone marrow edema in my hip, what should happen next?",
    "it just came on, no injury",
    "about 7 out of 10",
    "No / not applicable",
    "no, my kidneys are fine",
]


def visible_text(page):
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def made_plan(assistant):
    """A conversation whose plan is made: its id, the plan message and the link's URL on the test server."""
    sender = f"plan-page-{next_id()}"
    for message in HIP_PLAN:
        replies = assistant.send(sender, message)
    plan = replies[0]
    (button,) = [button for button in plan.get("buttons", []) if "url" in button]
    assert button["title"] == WORDS.button
    return sender, plan, assistant.rasa_url + urlsplit(button["url"]).path


def open_page(url):
    return requests.get(url, timeout=10)


def test_the_link_opens_the_plan_with_its_sources_disclaimer_and_red_flags(made_plan):
    sender, plan, url = made_plan
    page = open_page(url)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    text = visible_text(page.text)
    title = re.match(r"\*\*(.+)\*\*", plan["text"]).group(1)
    assert title in text  # the plan the chat showed
    for number, heading in KB.plan.headings.items():
        assert f"Step {number}: {heading}" in text
    assert f"{WORDS.answer_labels['pain_severity']}{WORDS.pain_score.format(score='7')}" in text
    for ref_id in re.findall(r"\]\((https?://[^)\s]+)\)", plan["text"]):
        assert f'<a href="{html.escape(ref_id)}">' in page.text  # each source the chat cited, as a link
    assert KB.disclaimers.clinical in text
    for flag in KB.red_flags:
        assert flag.title in text
    assert sender not in page.text


def test_the_page_is_private(made_plan):
    page = open_page(made_plan[2])
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"] and page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "Set-Cookie" not in page.headers


def test_an_expired_or_forged_link_is_refused_with_a_page(assistant, made_plan):
    sender, _, url = made_plan
    base = assistant.rasa_url + PAGE_PATH
    expired = plan_links().token(sender, now=time.time() - plan_links().lifetime.total_seconds() - 60)
    token = url.rsplit("/", 1)[1]
    forged = token[:30] + ("A" if token[30] != "A" else "B") + token[31:]
    for link, status, notice in [
        (base + expired, 410, WORDS.expired),
        (base + forged, 403, WORDS.invalid),
        (base + "not-a-link", 403, WORDS.invalid),
        (base + plan_links().token(f"never-talked-{next_id()}"), 404, WORDS.no_plan),
    ]:
        page = open_page(link)
        assert (page.status_code, visible_text(page.text).count(notice)) == (status, 1), link
        assert page.headers["Cache-Control"] == "no-store" and "Traceback" not in page.text


def test_a_stopped_plan_is_no_longer_shown(assistant):
    sender = f"plan-page-{next_id()}"
    for message in HIP_PLAN:
        replies = assistant.send(sender, message)
    url = assistant.rasa_url + urlsplit(replies[0]["buttons"][0]["url"]).path
    assert open_page(url).status_code == 200
    assistant.send(sender, "start over")
    assert open_page(url).status_code == 404


def test_chromium_prints_the_plan(made_plan):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 800, "height": 1000})
        page = context.new_page()
        blocked = []
        page.on("console", lambda message: blocked.append(message.text) if "Content Security" in message.text else None)
        page.goto(made_plan[2])
        assert page.locator("#print").is_visible()
        # The inline style ran despite default-src 'none': its hash is allowed.
        border = page.locator(".red-flags").evaluate("element => getComputedStyle(element).borderTopColor")
        assert border == "rgb(176, 0, 32)"
        page.emulate_media(media="print")
        assert not page.locator("#print").is_visible()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOT, full_page=True)
        page.pdf(path=PDF, format="A4")
        assert PDF.read_bytes().startswith(b"%PDF") and blocked == []
        context.close()


def test_the_web_chat_shows_the_link_as_a_button_that_opens_a_new_tab(chat_page):
    with chromium() as browser, visitor(browser, chat_page) as page:
        expect(bot_messages(page).first).to_be_visible()
        for message in HIP_PLAN:
            answered = bot_messages(page).count()
            ask(page, message)
            expect(bot_messages(page).nth(answered)).to_be_visible()
        link = page.locator("a.rw-reply", has_text=WORDS.button)
        expect(link).to_have_attribute("href", re.compile(re.escape(PAGE_PATH) + r"[\w=-]+$"))
        expect(link).to_have_attribute("target", "_blank")


def test_slack_gets_the_plan_as_one_message_with_a_link_button(assistant, slack_api, dm):
    user, channel = dm
    for message in HIP_PLAN:
        assert signed_post(assistant, direct_message(user, channel, message)).status_code == 200
    (plan,) = slack_api.wait_for(
        lambda requests: [post for post in SlackApiStub._posts(requests, channel) if "*Step 4: " in post["text"]], 1
    )
    assert plan["text"].startswith("*Your plan (hip, ")
    *sections, actions = plan["blocks"]
    assert "\n".join(section["text"]["text"] for section in sections) == plan["text"]
    (button,) = actions["elements"]
    assert button["text"]["text"] == WORDS.button and PAGE_PATH in button["url"] and "value" not in button
    page = open_page(assistant.rasa_url + urlsplit(button["url"]).path)
    assert page.status_code == 200 and "Step 4: " in page.text
