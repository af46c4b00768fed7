"""One knowledge-base answer, rendered for the web chat, Slack and Teams."""

import pytest

from bme.answers import Context, answer_question
from bme.knowledge import knowledge_base
from channels.formatting import SLACK_SECTION_LIMIT, slack_message, teams_message, web_message

KB = knowledge_base()
_ANSWER = answer_question(KB, "treatment", Context(treatment="iloprost"), Context(), "patient")
ANSWER, ANSWER_FACTS = _ANSWER.text, _ANSWER.fact_ids
FIRST_LINK = KB.references[KB.facts[ANSWER_FACTS[0]].references[0]].link
DISCLAIMER = KB.disclaimers.clinical
AUDIENCE = KB.messages["ask_audience"]
BUTTONS = [button.dict() for button in AUDIENCE.buttons]


def test_the_answer_has_every_element_the_channels_render():
    lines = ANSWER.splitlines()
    assert lines[0].startswith("**") and lines[1].startswith("- ") and f"[[1]]({FIRST_LINK})" in lines[1]
    assert any(line.startswith("_Note:") for line in lines)
    assert lines[-2].startswith(f"Sources: [[1]]({FIRST_LINK})") and lines[-1] == f"_{DISCLAIMER}_"


def test_web_chat_gets_one_markdown_message_with_a_list_and_linked_citations():
    message = web_message(ANSWER)
    blocks = message["text"].split("\n\n")
    assert blocks[0] == "**Treatment options: iloprost**"
    bullets = blocks[1].split("\n")
    assert len(bullets) == sum(line.startswith("- ") for line in ANSWER.splitlines()) > 1
    assert all(line.startswith("- ") for line in bullets) and f"[\\[1\\]]({FIRST_LINK})" in bullets[0]
    assert blocks[-2].startswith(f"Sources: [\\[1\\]]({FIRST_LINK}) ") and blocks[-1] == f"_{DISCLAIMER}_"
    assert "quick_replies" not in message


def test_web_chat_buttons_are_quick_replies_with_their_payloads():
    message = web_message(AUDIENCE.text, BUTTONS)
    assert message["text"] == "Which best describes you?"
    assert [(reply["title"], reply["payload"]) for reply in message["quick_replies"]] == [
        (button["title"], button["payload"]) for button in BUTTONS
    ]


def test_slack_gets_mrkdwn_bold_bullets_and_italics():
    text = slack_message(ANSWER)["text"]
    lines = text.split("\n")
    assert lines[0] == "*Treatment options: iloprost*"
    assert lines[1].startswith("• ") and f"<{FIRST_LINK}|[1]>" in lines[1]
    assert "**" not in text and "\n- " not in text and "](" not in text
    assert lines[-2].startswith(f"Sources: <{FIRST_LINK}|[1]> ") and lines[-1] == f"_{DISCLAIMER}_"


def test_slack_escapes_markup_once():
    text = slack_message("You said &lt;img src=x&gt; & <b>\n- A & B")["text"]
    assert text == "You said &lt;img src=x&gt; &amp; &lt;b&gt;\n• A &amp; B"


def test_slack_buttons_are_an_actions_block_under_the_text():
    message = slack_message(AUDIENCE.text, BUTTONS)
    section, actions = message["blocks"]
    assert message["text"] == section["text"]["text"] == "Which best describes you?"
    assert section["text"]["type"] == "mrkdwn"
    assert actions["type"] == "actions"
    assert [(element["type"], element["text"]["text"], element["value"]) for element in actions["elements"]] == [
        ("button", button["title"], button["payload"]) for button in BUTTONS
    ]


def test_slack_splits_long_answers_into_sections_of_whole_lines():
    lines = [f"- line {number} " + "x" * 200 for number in range(40)]
    message = slack_message("\n".join(lines), BUTTONS)
    sections = [block["text"]["text"] for block in message["blocks"] if block["type"] == "section"]
    assert len(sections) > 1 and all(len(section) <= SLACK_SECTION_LIMIT for section in sections)
    assert "\n".join(sections) == message["text"]


def test_slack_button_labels_fit_slacks_limit():
    button = slack_message("Pick one", [{"title": "a" * 100, "payload": "/greet"}])["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "a" * 75 and button["value"] == "/greet"


def test_teams_gets_one_paragraph_per_element():
    message = teams_message(ANSWER)
    assert message["textFormat"] == "markdown"
    paragraphs = message["text"].split("\n\n")
    assert len(paragraphs) == len([line for line in ANSWER.splitlines() if line.strip()])
    assert f"[\\[1\\]]({FIRST_LINK})" in paragraphs[1]
    assert paragraphs[0] == "**Treatment options: iloprost**" and paragraphs[1].startswith("- ")
    assert "attachments" not in message


def test_teams_buttons_send_their_payload_back_when_clicked():
    message = teams_message(AUDIENCE.text, BUTTONS)
    assert message["text"] == "Which best describes you?"
    [card] = message["attachments"]
    assert card["contentType"] == "application/vnd.microsoft.card.hero"
    for sent, button in zip(card["content"]["buttons"], BUTTONS, strict=True):
        assert sent["type"] == "messageBack"
        assert sent["title"] == sent["displayText"] == button["title"]
        assert sent["value"] == {"payload": button["payload"]}


@pytest.mark.parametrize("render", [web_message, slack_message, teams_message])
def test_blank_lines_in_a_message_do_not_make_empty_elements(render):
    message = render("**Title**\n\n\n- one\n\n- two\n")
    assert "\n\n\n" not in message["text"] and message["text"].count("two") == 1


def test_only_citations_become_links_other_brackets_stay_text():
    text = "- See [this](https://evil.example) and [[2]](https://doi.org/10.1/x)"
    assert web_message(text)["text"] == "- See \\[this\\](https://evil.example) and [\\[2\\]](https://doi.org/10.1/x)"
    assert slack_message(text)["text"] == "• See [this](https://evil.example) and <https://doi.org/10.1/x|[2]>"
