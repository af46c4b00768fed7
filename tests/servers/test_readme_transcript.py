"""The transcripts in the documentation (the README's short example, the full one in
docs/TRANSCRIPT.md) are real conversations with this bot: replayed, the bot says
exactly the same. Re-record one with `scripts/transcript.py --into FILE`."""

import pytest

from scripts.transcript import TRANSCRIPT_FILES, record, transcript_in, user_messages
from tests.processes import ROOT


@pytest.mark.parametrize("name", TRANSCRIPT_FILES)
def test_transcript_matches_the_bot(assistant, name):
    transcript = transcript_in((ROOT / name).read_text(encoding="utf-8"))
    assert transcript, f"{name} has no transcript between <!-- transcript:start --> and <!-- transcript:end -->"
    replayed = record(assistant, f"replay-{name}", user_messages(transcript))
    assert replayed == transcript.split("\n"), (
        f"the bot no longer says this; re-record: scripts/transcript.py --into {name}"
    )
