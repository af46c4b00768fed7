"""The README's example conversation is a real transcript of this bot."""

import re

from scripts.transcript import record, user_messages
from tests.processes import ROOT

MARKERS = re.compile(r"<!-- transcript:start -->\n```text\n(.*?)\n```\n<!-- transcript:end -->", re.DOTALL)


def test_readme_transcript_matches_the_bot(assistant):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = MARKERS.search(readme)
    assert match, "README.md has no transcript block"
    transcript = match.group(1)
    replayed = record(assistant, "readme-replay", user_messages(transcript))
    assert replayed == transcript.split("\n")
