"""Record a conversation with the assistant as a transcript for the documentation.

    .venv/bin/python scripts/transcript.py "hi" "I'm a patient" ...             # print it
    .venv/bin/python scripts/transcript.py --into README.md "hi" ...            # write it into README.md
    .venv/bin/python scripts/transcript.py --into docs/TRANSCRIPT.md            # re-record the file's messages

starts the real action and Rasa servers (tests/processes.py), sends the
messages as one user and prints the transcript, or with ``--into FILE`` writes
it into FILE between its transcript markers (``<!-- transcript:start -->`` and
``<!-- transcript:end -->`` around a ```text block). Without messages,
``--into`` sends the user messages of FILE's current transcript again: do that
after the bot's wording changed. tests/servers/test_readme_transcript.py
replays the transcript of every file in ``TRANSCRIPT_FILES`` and checks that
the bot still says exactly that.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.processes import running_assistant  # noqa: E402

USER, BOT, INDENT = "You: ", "Bot: ", "     "
# The files holding a transcript, relative to the project root: the README's short example and the full one.
TRANSCRIPT_FILES = ("README.md", "docs/TRANSCRIPT.md")
MARKERS = re.compile(r"<!-- transcript:start -->\n```text\n(.*?)\n```\n<!-- transcript:end -->", re.DOTALL)


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


def transcript_in(text: str) -> Optional[str]:
    """The transcript between the markers of a document's text, or None."""
    match = MARKERS.search(text)
    return match.group(1) if match else None


def with_transcript(text: str, lines: List[str]) -> str:
    """The document's text with ``lines`` as its transcript."""
    match = MARKERS.search(text)
    if not match:
        raise ValueError("no transcript markers")
    return text[: match.start(1)] + "\n".join(lines) + text[match.end(1) :]


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("messages", nargs="*", help="what the user says, one argument per message")
    parser.add_argument(
        "--into",
        type=Path,
        metavar="FILE",
        help=f"write the transcript between FILE's transcript markers (one of: {', '.join(TRANSCRIPT_FILES)})",
    )
    args = parser.parse_args(argv)
    if args.into:
        current = transcript_in(args.into.read_text(encoding="utf-8"))
        if current is None:
            parser.error(f"{args.into} has no transcript markers")
        args.messages = args.messages or user_messages(current)
    if not args.messages:
        parser.error("no messages to send")
    return args


def main(argv: List[str]) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as logs:
        with running_assistant(Path(logs)) as assistant:
            lines = record(assistant, "transcript", args.messages)
    if args.into:
        args.into.write_text(with_transcript(args.into.read_text(encoding="utf-8"), lines), encoding="utf-8")
        print(f"Wrote {len(lines)} lines into {args.into}.")
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
