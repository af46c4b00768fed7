"""Render one answer for each chat channel: web chat, Slack and Teams.

The actions write every message once, as channel-neutral Markdown
(bme/answers.py): one element per line, that is a **bold** title, "- "
bullets with [n] citations written as links ``[[n]](url)``, _italic_ notes,
a "Sources: ..." line and an italic disclaimer, with buttons as {title, payload}. Each function here turns
such a message into the payload its channel sends. Plain Python: no Rasa.
"""

from __future__ import annotations

import html
import re
from typing import Any, Dict, List, Mapping, Sequence

Buttons = Sequence[Mapping[str, str]]

BULLET = "- "
BOLD = re.compile(r"\*\*(.+?)\*\*")
SQUARE_BRACKETS = re.compile(r"([\[\]])")
# A citation as bme/answers.py writes it; its URL has no spaces or parentheses.
CITATION = re.compile(r"\[\[(\d+)\]\]\((https?://[^\s)]+)\)")
SLACK_BULLET = "• "
# Slack limits: a section block holds 3,000 characters, a button label 75.
SLACK_SECTION_LIMIT = 3000
SLACK_BUTTON_LABEL_LIMIT = 75
HERO_CARD = "application/vnd.microsoft.card.hero"


def message_lines(text: str) -> List[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


def markdown_blocks(text: str) -> List[str]:
    """Consecutive bullets form one block (a list); any other line is a block (a paragraph)."""
    blocks: List[str] = []
    for line in message_lines(text):
        if line.startswith(BULLET) and blocks and blocks[-1].startswith(BULLET):
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return blocks


# Web chat (rasa-webchat renders Markdown) --------------------------------------------


def markdown_citations(block: str) -> str:
    """Square brackets escaped, so no other text becomes a link, and each citation a
    link whose text is the number in brackets: [\\[1\\]](url)."""
    parts = CITATION.split(block)  # text, number, url, text, number, url, ..., text
    escaped = [SQUARE_BRACKETS.sub(r"\\\1", part) for part in parts[::3]]
    links = [f"[\\[{number}\\]]({url})" for number, url in zip(parts[1::3], parts[2::3], strict=True)]
    return "".join(part for pair in zip(escaped, [*links, ""], strict=True) for part in pair)


def web_markdown(text: str) -> str:
    """Blank lines between blocks, so a list that follows the title is a list; citations
    are links (web/chat.js opens them in a new tab), other square brackets show as written."""
    return "\n\n".join(markdown_citations(block) for block in markdown_blocks(text))


def web_quick_reply(button: Mapping[str, str]) -> Dict[str, Any]:
    """A reply button, or with a URL a link that rasa-webchat opens in a new tab."""
    if "url" in button:
        return {"type": "web_url", "title": button["title"], "url": button["url"]}
    return {"content_type": "text", "title": button["title"], "payload": button["payload"]}


def web_message(text: str, buttons: Buttons = ()) -> Dict[str, Any]:
    """What the socket.io channel emits to the widget: one message, buttons as quick replies."""
    message: Dict[str, Any] = {"text": web_markdown(text)}
    if buttons:
        message["quick_replies"] = [web_quick_reply(button) for button in buttons]
    return message


# Slack (mrkdwn and Block Kit) ----------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack reads &, < and > as markup; the answer may hold HTML entities for them."""
    return html.unescape(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_line(line: str) -> str:
    line = CITATION.sub(r"<\2|[\1]>", BOLD.sub(r"*\1*", slack_escape(line)))
    return SLACK_BULLET + line[len(BULLET) :] if line.startswith(BULLET) else line


def slack_mrkdwn(text: str) -> str:
    """*bold*, "• " bullets and _italic_, one element per line."""
    return "\n".join(slack_line(line) for line in message_lines(text))


def slack_sections(mrkdwn: str) -> List[Dict[str, Any]]:
    """Section blocks of whole lines, each within Slack's length limit."""
    chunks: List[str] = []
    for line in mrkdwn.splitlines():
        if chunks and len(chunks[-1]) + 1 + len(line) <= SLACK_SECTION_LIMIT:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line[:SLACK_SECTION_LIMIT])
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in chunks]


def slack_button(button: Mapping[str, str]) -> Dict[str, Any]:
    """A button that sends its payload, or with a URL a link button (Slack opens it; Rasa ignores the click)."""
    label = button["title"][:SLACK_BUTTON_LABEL_LIMIT]
    target = {"url": button["url"]} if "url" in button else {"value": button["payload"]}
    return {"type": "button", "text": {"type": "plain_text", "text": label}, **target}


def slack_message(text: str, buttons: Buttons = ()) -> Dict[str, Any]:
    """Arguments of chat.postMessage: the mrkdwn text, and with buttons the same text as
    section blocks followed by an actions block whose buttons carry the payloads."""
    mrkdwn = slack_mrkdwn(text)
    message: Dict[str, Any] = {"text": mrkdwn}
    if buttons:
        actions = {"type": "actions", "elements": [slack_button(button) for button in buttons]}
        message["blocks"] = [*slack_sections(mrkdwn), actions]
    return message


# Microsoft Teams (Bot Framework activities) --------------------------------------------


def teams_markdown(text: str) -> str:
    """Teams starts a new line only at a blank line, so every element is a paragraph;
    citations are Markdown links."""
    return "\n\n".join(markdown_citations(line) for line in message_lines(text))


def teams_button(button: Mapping[str, str]) -> Dict[str, Any]:
    """A messageBack button: the chat shows the title as the user's message and the bot
    receives the payload in the activity's value; with a URL, an openUrl button."""
    title = button["title"]
    if "url" in button:
        return {"type": "openUrl", "title": title, "value": button["url"]}
    return {
        "type": "messageBack",
        "title": title,
        "displayText": title,
        "text": title,
        "value": {"payload": button["payload"]},
    }


def teams_message(text: str, buttons: Buttons = ()) -> Dict[str, Any]:
    """Fields of a message activity: markdown text, buttons on a hero card below it."""
    message: Dict[str, Any] = {"text": teams_markdown(text), "textFormat": "markdown"}
    if buttons:
        card = {"contentType": HERO_CARD, "content": {"buttons": [teams_button(button) for button in buttons]}}
        message["attachments"] = [card]
    return message
