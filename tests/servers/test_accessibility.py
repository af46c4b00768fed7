"""The chat page meets WCAG 2.1 AA where a browser can check it: axe-core's
rules, keyboard-only use with a visible focus ring, screen-reader
announcements and a phone-width screen (tests/servers/browser.py)."""

import pytest
from playwright.sync_api import Page, expect

from bme.knowledge import knowledge_base
from tests.processes import ROOT
from tests.servers.browser import ask, bot_messages, chromium, message_box, visitor

KB = knowledge_base()
# "does iloprost help?" is answered by this question card, its question as the heading.
ILOPROST_HEADING = KB.questions["iloprost_works"].question
WORDS = KB.chat_page
GREETING = KB.messages["greet"].text
AUDIENCE_TITLES = [button.title for button in KB.messages["ask_audience"].buttons]
# axe-core from web/node_modules (`make web`, pinned in web/package-lock.json); never served by the page.
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PHONE = {"width": 320, "height": 640}
SCREENSHOT = ROOT / "reports" / "chat-page-320px.png"
MAX_TAB_STOPS = 12


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def reply_buttons(page: Page):
    return page.get_by_role("button").and_(page.locator(".rw-reply"))


def live_region(page: Page):
    return page.locator('[aria-live="polite"]')


def focused(page: Page) -> dict:
    """The focused element's text or name, and its focus ring as the browser draws it."""
    return page.evaluate(
        """() => {
            const element = document.activeElement, style = getComputedStyle(element);
            return {page: element === document.body,
                    name: element.getAttribute("aria-label") || element.textContent.trim(),
                    reply: element.matches(".rw-reply"), box: element.matches("textarea.rw-new-message"),
                    outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }"""
    )


def tab_until(page: Page, wanted, key: str = "Tab") -> dict:
    """Press ``key`` until the focused element is ``wanted``; every control on the way shows a focus ring.
    Focus on the page itself is the stop between its last control and its first (the browser's own bar)."""
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press(key)
        stop = focused(page)
        assert stop["page"] or (stop["outline"] != "none" and stop["width"] >= 2), f"no visible focus ring on {stop}"
        if wanted(stop):
            return stop
    raise AssertionError(f"{key} never reached the element wanted; last stop: {stop}")


def test_axe_finds_no_serious_or_critical_wcag_21_aa_violation_after_a_turn_with_buttons(browser, chat_page):
    # axe is injected as an inline script, which the page's Content-Security-Policy rightly refuses.
    with visitor(browser, chat_page, bypass_csp=True) as page:
        reply_buttons(page).filter(has_text=AUDIENCE_TITLES[0]).click()
        ask(page, "what can you do?")
        expect(reply_buttons(page).first).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page).to_have_title(WORDS.title)
        expect(page.get_by_role("main")).to_be_visible()
        expect(page.get_by_role("textbox", name=WORDS.input_hint)).to_be_visible()
        expect(page.get_by_role("button", name=WORDS.send_label)).to_be_attached()
        expect(page.get_by_role("region", name=WORDS.conversation_label)).to_be_visible()

        page.add_script_tag(content=AXE.read_text())
        results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    blocking = [found for found in results["violations"] if found["impact"] in BLOCKING_IMPACTS]
    for found in results["violations"]:
        targets = [node["target"] for node in found["nodes"]]
        print(f"{found['impact']}: {found['id']} ({found['help']}) at {targets}")
    assert results["passes"] and not blocking


def test_a_keyboard_alone_reaches_and_works_every_control(browser, chat_page):
    with visitor(browser, chat_page) as page:
        expect(reply_buttons(page)).to_have_count(len(AUDIENCE_TITLES))
        page.evaluate("document.activeElement.blur()")  # not the widget's autofocus: Tab there
        tab_until(page, lambda stop: stop["box"])
        tab_until(page, lambda stop: stop["reply"] and stop["name"] == AUDIENCE_TITLES[0])
        page.keyboard.press("Enter")
        expect(bot_messages(page).last).to_have_text(KB.messages["audience_patient"].text)
        assert focused(page)["box"]  # the chosen buttons are gone: focus waits in the message box

        page.keyboard.type("what can you do?")
        page.keyboard.press("Enter")
        expect(page.locator(".rw-from-client").last).to_have_text("what can you do?")
        expect(reply_buttons(page).first).to_be_visible()
        answers_so_far = bot_messages(page).count()
        chosen = tab_until(page, lambda stop: stop["reply"], key="Shift+Tab")
        page.keyboard.press("Space")
        expect(page.locator(".rw-from-client").last).to_have_text(chosen["name"])
        expect(bot_messages(page)).not_to_have_count(answers_so_far)

        assert focused(page)["box"]
        page.keyboard.type("what is bone marrow edema?")
        tab_until(page, lambda stop: stop["name"] == WORDS.send_label)
        page.keyboard.press("Enter")
        expect(page.locator(".rw-from-client").last).to_have_text("what is bone marrow edema?")


def test_each_new_bot_message_is_announced_once_and_the_users_own_is_not(browser, chat_page):
    with visitor(browser, chat_page) as page:
        expect(live_region(page)).to_contain_text(GREETING)
        reply_buttons(page).filter(has_text=AUDIENCE_TITLES[0]).click()
        ask(page, "does iloprost help?")
        expect(live_region(page)).to_contain_text(ILOPROST_HEADING)
        announced = live_region(page).inner_text()
        assert announced.count(GREETING) == 1 and "does iloprost help?" not in announced

        page.reload()  # the restored conversation is on the page, not news
        expect(bot_messages(page).last).to_contain_text(ILOPROST_HEADING)
        expect(live_region(page)).to_be_empty()
        ask(page, "what are its side effects?")
        expect(live_region(page)).to_contain_text("side effects", ignore_case=True)
        assert GREETING not in live_region(page).inner_text()


def test_on_a_phone_with_reduced_motion_nothing_scrolls_sideways_or_moves(browser, chat_page):
    with visitor(browser, chat_page, viewport=PHONE, reduced_motion="reduce") as page:
        reply_buttons(page).filter(has_text=AUDIENCE_TITLES[0]).click()
        ask(page, "what can you do?")
        expect(reply_buttons(page).first).to_be_visible()
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOT)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        send = page.get_by_role("button", name=WORDS.send_label)
        for control in (message_box(page), send, *reply_buttons(page).all()):
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
        transition = reply_buttons(page).first.evaluate("button => getComputedStyle(button).transitionDuration")
        assert float(transition.rstrip("s")) < 0.001
