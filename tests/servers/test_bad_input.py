"""Bad input never crashes the assistant or leaves the user without a reply."""

import pytest

LONG = "My knee hurts and the MRI said bone marrow edema. " * 200  # 10,000 characters


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        LONG[:10_000],
        "😀😀😀",
        "🦴💊❓",
        "¿Qué es el edema de médula ósea?",
        "Was ist ein Knochenmarködem?",
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        '{"json": true}',
        "/unknown_intent{bad json",
    ],
)
def test_every_message_gets_a_reply(chat, message):
    replies = chat(message)
    assert replies, f"no reply to {message[:40]!r}"
    assert all(reply.get("text") or reply.get("buttons") for reply in replies)


@pytest.mark.parametrize("markup", ["<script>alert('x')</script>", "<img src=x onerror=alert(1)>"])
def test_markup_is_never_echoed_raw(chat, markup):
    for reply in chat(markup):
        assert "<script" not in reply.get("text", "") and "<img" not in reply.get("text", "")


def test_conversation_continues_after_bad_input(chat):
    chat("")
    chat("x" * 10_000)
    replies = chat("what is bone marrow edema?")
    assert "Sources: [[1]](https://" in "\n".join(r.get("text", "") for r in replies)
