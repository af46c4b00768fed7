"""The printable plan page, and the button that opens it in each channel."""

import asyncio
import base64
import hashlib
import html
import re
from datetime import date, datetime, timezone
from pathlib import Path

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.plan_actions import ActionRepeatPlan, ActionShowPlan
from bme import plan
from bme.kept_plan import inputs_from_slots
from bme.plan_link import PAGE_PATH
from bme.plan_page import CONTENT_SECURITY_POLICY, HEADERS, PrintablePlan, answers_given, notice_page, plan_page
from channels.formatting import slack_message, teams_message, web_message

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
HIP = plan.PlanInputs(
    mri_confirmed=True, etiology="bmes", body_site="hip", pain_severity=7.0, pregnancy="no", kidney_problems=False
)
MADE_ON = date(2026, 11, 28)
WORKS_UNTIL = datetime(2026, 12, 5, 9, 30, tzinfo=timezone.utc)


def printable(inputs=HIP, skipped=(), audience=None):
    return PrintablePlan(inputs, plan.build_plan(inputs), list(skipped), audience, MADE_ON, WORKS_UNTIL)


def visible_text(page):
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_the_page_has_the_date_the_answers_and_the_four_steps(kb):
    page = plan_page(kb, printable(skipped=["diabetes"]))
    text = visible_text(page)
    assert f"<title>{kb.plan_page.title}</title>" in page
    assert kb.plan_page.made_on.format(date="28 November 2026") in text
    assert kb.plan_page.works_until.format(date="5 December 2026") in text
    words = kb.plan_page
    for label, answer in [
        (words.answer_labels["mri_confirmed"], words.yes),
        (words.answer_labels["etiology"], kb.label("condition", "bmes")),
        (words.answer_labels["body_site"], kb.label("body_site", "hip")),
        (words.answer_labels["pain_severity"], words.pain_score.format(score="7")),
        (words.answer_labels["pregnancy"], words.no),
        (words.answer_labels["kidney_problems"], words.no),
        (words.answer_labels["diabetes"], words.not_answered),
    ]:
        assert f"<dt>{html.escape(label)}</dt><dd>{html.escape(answer)}</dd>" in page
    for number, heading in kb.plan.headings.items():
        assert f"<h3>Step {number}: {heading}</h3>" in page
    assert kb.plan.steps["iloprost_option"].title in text
    assert kb.plan.details_hint not in text  # chat only


def test_every_citation_points_to_a_numbered_source_with_its_link(kb):
    page = plan_page(kb, printable())
    cited = set(re.findall(r'<a href="#source-(\d+)">\[\1\]</a>', page))
    sources = re.findall(r'<li id="source-(\d+)">(.*?) <a href="([^"]+)">\3</a></li>', page)
    assert cited and cited == {number for number, _, _ in sources}
    by_link = {html.unescape(link): html.unescape(citation) for _, citation, link in sources}
    for ref in kb.references.values():
        if ref.link in by_link:
            assert by_link[ref.link] == ref.citation
    assert len(by_link) == len(sources)


def test_the_page_has_the_disclaimer_and_every_red_flag_by_tier(kb):
    text = visible_text(plan_page(kb, printable()))
    assert kb.disclaimers.clinical in text
    emergency, same_day = (text.index(kb.plan_page.red_flag_tiers[tier]) for tier in ("emergency", "same_day"))
    for flag in kb.red_flags:
        position = text.index(f"{flag.title}. {flag.message.patient}")
        assert (emergency < position < same_day) == (flag.tier == "emergency")


def test_clinicians_get_their_wording(kb):
    text = visible_text(plan_page(kb, printable(audience="professional")))
    assert kb.disclaimers.professional in text
    assert kb.red_flags[0].message.professional in text


def test_every_value_is_escaped(kb):
    hostile = '<script>alert(1)</script> & "quoted"'
    words = kb.plan_page.copy(update={"yes": hostile, "title": hostile})
    page = plan_page(kb.copy(update={"plan_page": words}), printable())
    assert "<script>alert" not in page and page.count("<script>") == 1  # the print button's only
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;" in page


def test_text_that_is_not_an_answer_is_not_shown(kb):
    slots = {"mri_confirmed": "<b>maybe</b>", "body_site": "my <i>hip</i>", "pain_severity": 7}
    inputs = inputs_from_slots(kb, slots.get)
    assert inputs == plan.PlanInputs(pain_severity=7)
    assert list(answers_given(kb, inputs, [])) == [kb.plan_page.answer_labels["pain_severity"]]


def test_the_inline_style_and_script_are_the_only_ones_allowed(kb):
    page = plan_page(kb, printable())
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        (source,) = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S)
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert HEADERS["Cache-Control"] == "no-store" and "noindex" in HEADERS["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_a_notice_page_shows_only_the_notice(kb):
    page = notice_page(kb, kb.plan_page.expired)
    assert kb.plan_page.expired in visible_text(page) and "<script>" not in page


# The button under the plan ---------------------------------------------------------------


def run(action, slots, text="done", intent="affirm"):
    all_slots = {**{name: None for name in DOMAIN["slots"]}, **slots}
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [], "intent_ranking": []}
    tracker = Tracker("conversation-7", all_slots, latest, [], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return dispatcher.messages


def test_the_plan_and_its_repetition_come_with_the_print_button(kb):
    slots = {**{k: v for k, v in vars(HIP).items() if v is not None}}
    for action, extra in ((ActionShowPlan(), {}), (ActionRepeatPlan(), {"plan_steps": ["1:get_mri"]})):
        (button,) = run(action, {**slots, **extra})[0]["buttons"]
        assert button["title"] == kb.plan_page.button
        assert PAGE_PATH in button["url"] and "conversation-7" not in button["url"]


def test_no_print_button_under_an_emergency():
    urgent = {"mri_confirmed": True, "etiology": "vertebral_compression_fracture", "neuro_symptoms": True}
    assert run(ActionShowPlan(), urgent)[0]["buttons"] == []


def test_each_channel_shows_the_link_as_a_link():
    link = {"title": "Print or save my plan", "url": "https://bme.example.org/webhooks/plan/t"}
    reply = {"title": "What can you do?", "payload": "/help"}
    assert web_message("plan", [link, reply])["quick_replies"] == [
        {"type": "web_url", "title": link["title"], "url": link["url"]},
        {"content_type": "text", "title": reply["title"], "payload": "/help"},
    ]
    slack_buttons = slack_message("plan", [link])["blocks"][-1]["elements"]
    assert slack_buttons == [
        {"type": "button", "text": {"type": "plain_text", "text": link["title"]}, "url": link["url"]}
    ]
    teams_buttons = teams_message("plan", [link])["attachments"][0]["content"]["buttons"]
    assert teams_buttons == [{"type": "openUrl", "title": link["title"], "value": link["url"]}]
