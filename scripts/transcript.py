"""Record a conversation with the running assistant as a README transcript.

    .venv/bin/python scripts/transcript.py "hi" "I'm a patient" ...

starts the real action and Rasa servers (tests/processes.py), sends the
messages as one user, and prints the transcript between the README's
transcript markers. tests/servers/test_readme_transcript.py replays the
README's transcript and checks the bot still says exactly that.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Iterable, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.processes import running_assistant  # noqa: E402

USER, BOT, INDENT = "You: ", "Bot: ", "     "


def render_turn(message: str, replies: Iterable[dict]) -> List[str]:
    lines = [f"{USER}{message}"]
    for reply in replies:
        text_lines = (reply.get("text") or "").split("\n")
        lines.append(f"{BOT}{text_lines[0]}")
        lines += [f"{INDENT}{line}" for line in text_lines[1:]]
        buttons = reply.get("buttons") or []
        if buttons:
            lines.append(INDENT + " ".join(f"[{button['title']}]" for button in buttons))
    return lines


def user_messages(transcript: str) -> List[str]:
    return [line[len(USER) :] for line in transcript.splitlines() if line.startswith(USER)]


def record(assistant, sender: str, messages: Iterable[str]) -> List[str]:
    lines: List[str] = []
    for message in messages:
        lines += render_turn(message, assistant.send(sender, message))
    return lines


def main(messages: List[str]) -> None:
    with tempfile.TemporaryDirectory() as logs:
        with running_assistant(Path(logs)) as assistant:
            print("\n".join(record(assistant, "readme", messages)))


if __name__ == "__main__":
    main(sys.argv[1:])
