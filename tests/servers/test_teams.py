"""Teams on loopback: activities signed with a key the local Bot Framework stub
publishes reach the assistant; its replies arrive at the stub's serviceUrl."""

import time

import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from bme.knowledge import knowledge_base
from tests.servers.clients import TEAMS_BOT, activity, post, say

KB = knowledge_base()
# "does iloprost help?" is answered by this question card, its question as the heading.
ILOPROST_HEADING = KB.questions["iloprost_works"].question
DISCLAIMER = KB.disclaimers.clinical
AUDIENCE_BUTTONS = [(button.title, button.payload) for button in KB.messages["ask_audience"].buttons]
BOT = TEAMS_BOT


def test_a_conversation_in_teams(assistant, bot_framework, conversation):
    conversation_id, user = conversation
    say(assistant, bot_framework, conversation_id, user, type="conversationUpdate", membersAdded=[BOT, user])
    greeting, question = (reply.body for reply in bot_framework.replies_in(conversation_id, 2))
    assert "I answer questions about bone marrow edema" in greeting["text"]
    assert greeting["textFormat"] == "markdown" and greeting["recipient"] == {"id": user["id"]}
    assert question["text"] == "Which best describes you?"
    [card] = question["attachments"]
    buttons = card["content"]["buttons"]
    assert [(button["title"], button["value"]["payload"]) for button in buttons] == AUDIENCE_BUTTONS
    assert {button["type"] for button in buttons} == {"messageBack"}

    # Clicking "I'm a patient" sends its value; an Adaptive Card submit sends no text at all.
    say(assistant, bot_framework, conversation_id, user, text="", value=buttons[0]["value"])
    assert "plain language" in bot_framework.replies_in(conversation_id, 3)[2].body["text"]

    say(
        assistant,
        bot_framework,
        conversation_id,
        user,
        text="<at>BME Assistant</at> does iloprost help?",
        entities=[{"type": "mention", "text": "<at>BME Assistant</at>", "mentioned": BOT}],
    )
    answer = bot_framework.replies_in(conversation_id, 4)[3]
    paragraphs = answer.body["text"].split("\n\n")
    assert paragraphs[0] == f"**{ILOPROST_HEADING}**"
    assert paragraphs[1] == KB.questions["iloprost_works"].answer.patient  # the direct answer leads
    assert paragraphs[2].startswith("- ") and "[\\[1\\]](https://" in paragraphs[2]
    assert paragraphs[-3].startswith("Sources: [\\[1\\]](https://") and paragraphs[-2] == f"_{DISCLAIMER}_"
    assert paragraphs[-1] == KB.messages["ask_feedback"].text
    [card] = answer.body["attachments"]
    assert [button["title"] for button in card["content"]["buttons"]][-2:] == ["👍", "👎"]
    assert answer.headers["Authorization"] == f"Bearer {bot_framework.ACCESS_TOKEN}"


def test_adding_someone_else_does_not_greet(assistant, bot_framework, conversation):
    conversation_id, user = conversation
    say(
        assistant,
        bot_framework,
        conversation_id,
        user,
        type="conversationUpdate",
        membersAdded=[{"id": "29:someone-else"}],
    )
    say(assistant, bot_framework, conversation_id, user, text="hello")
    greeting, _ = bot_framework.replies_in(conversation_id, 2)
    assert "I answer questions" in greeting.body["text"]
    time.sleep(2)
    assert len(bot_framework.replies(conversation_id)) == 2  # greeted once, for "hello"


def forged_tokens(bot_framework):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    return {
        "signed with another key": bot_framework.token(private_key=other_key),
        "for another bot": bot_framework.token(aud="another-app-id"),
        "from another issuer": bot_framework.token(iss="https://evil.example"),
        "expired": bot_framework.token(exp=now - 3600, nbf=now - 7200, iat=now - 7200),
        "for another serviceUrl": bot_framework.token(serviceurl="https://evil.example/"),
        "unsigned": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + bot_framework.token().split(".")[1] + ".",
        "not a JWT": "not-a-token",
    }


def test_unsigned_or_wrongly_signed_activities_are_rejected(assistant, bot_framework, conversation):
    conversation_id, user = conversation
    message = activity(bot_framework, conversation_id, user, text="hello")
    assert post(assistant, message).status_code == 401
    for problem, token in forged_tokens(bot_framework).items():
        reply = post(assistant, message, token)
        assert reply.status_code == 401, problem
        assert reply.json()["error"], problem
    say(assistant, bot_framework, conversation_id, user, text="hello")  # the same, correctly signed
    bot_framework.replies_in(conversation_id, 2)
    time.sleep(2)
    assert len(bot_framework.replies(conversation_id)) == 2  # answered once: greeting and question


def test_bad_activities_get_a_clear_4xx_and_do_not_disturb_other_conversations(assistant, bot_framework, conversation):
    conversation_id, user = conversation
    token = bot_framework.token()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    url = f"{assistant.rasa_url}/webhooks/teams/webhook"
    assert requests.post(url, data=b"{not json", headers=headers, timeout=30).status_code == 400
    assert requests.post(url, data=b"x" * 300_000, headers=headers, timeout=30).status_code == 413
    no_conversation = activity(bot_framework, conversation_id, user, text="hello", conversation=None)
    reply = post(assistant, no_conversation, token)
    assert reply.status_code == 400 and "conversation.id" in reply.json()["error"]
    assert post(assistant, activity(bot_framework, conversation_id, user, text="x" * 10_001), token).status_code == 413
    say(assistant, bot_framework, conversation_id, user, text="what is bone marrow edema?")
    assert any(
        "Sources: [\\[1\\]](https://" in reply.body["text"] for reply in bot_framework.replies_in(conversation_id, 1)
    )
