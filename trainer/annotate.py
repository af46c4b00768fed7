"""Review an inbox file in the terminal: pick each message's intent with the
arrow keys and mark the knowledge-base terms it mentions by their value.

The review loop is plain Python driven by a ``Prompts`` object; the questionary
prompts are one implementation, tests drive the loop with scripted answers.
The file is saved after every decision, so stopping loses nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Protocol, Sequence, Tuple

import questionary

from trainer import TrainerError
from trainer.inbox import UNREVIEWED, Inbox, InboxEntry, read_inbox, write_inbox
from trainer.nlu_data import Entity, annotate, parse_example

DISCARD = "(discard: not useful as training data)"
STOP = "(stop: save and quit)"
DONE, MARK, CLEAR = "entities are right", "mark a term", "clear all marks"

Term = Tuple[str, str]  # entity, value


class Prompts(Protocol):
    def intent(self, entry: InboxEntry, intents: Sequence[str]) -> str:
        """An intent, DISCARD or STOP."""

    def entity_step(self, text: str) -> str:
        """DONE, MARK or CLEAR."""

    def term(self, terms: Dict[str, Term]) -> Optional[Term]:
        """One of the terms (keyed by 'entity:value'), or None to go back."""

    def words(self, text: str, term: Term) -> str:
        """The words in ``text`` that name the term."""


def mark(raw: str, words: str, term: Term) -> str:
    """The annotated text with ``words`` (first unmarked occurrence, any case) marked as the term."""
    example = parse_example(raw, "", "the message")
    lowered, wanted = example.text.lower(), words.strip().lower()
    start = lowered.find(wanted) if wanted else -1
    while start >= 0 and any(start < entity.end and entity.start < start + len(wanted) for entity in example.entities):
        start = lowered.find(wanted, start + 1)
    if start < 0:
        raise TrainerError(f'"{words}" is not an unmarked part of "{example.text}"')
    new = Entity(term[0], term[1], start, start + len(wanted), example.text[start : start + len(wanted)])
    return annotate(example.text, [*example.entities, new])


def plain(raw: str) -> str:
    """The text without its entity marks."""
    return parse_example(raw, "", "the message").text


def review_entities(raw: str, prompts: Prompts, terms: Dict[str, Term]) -> str:
    while True:
        step = prompts.entity_step(raw)
        if step == DONE:
            return raw
        if step == CLEAR:
            raw = plain(raw)
            continue
        term = prompts.term(terms)
        words = prompts.words(plain(raw), term) if term else ""
        if words:
            try:
                raw = mark(raw, words, term)
            except TrainerError as error:
                print(error)


def review(path: Path, intents: Sequence[str], terms: Dict[str, Term], prompts: Prompts) -> Tuple[int, int, int]:
    """Reviews unreviewed entries until done or stopped: (reviewed, discarded, still to review)."""
    inbox: Inbox = read_inbox(path)
    reviewed = discarded = 0
    for entries in inbox.values():
        for entry in [entry for entry in entries if not entry.reviewed]:
            choice = prompts.intent(entry, intents)
            if choice == STOP:
                return reviewed, discarded, _unreviewed(inbox)
            if choice == DISCARD:
                entries.remove(entry)
                discarded += 1
            else:
                entry.text = review_entities(entry.text, prompts, terms)
                entry.intent = choice
                reviewed += 1
            write_inbox(path, inbox)
    return reviewed, discarded, _unreviewed(inbox)


def _unreviewed(inbox: Inbox) -> int:
    return sum(not entry.reviewed for entries in inbox.values() for entry in entries)


class TerminalPrompts:
    """Arrow-key prompts (questionary); Ctrl-C stops and saves."""

    def intent(self, entry: InboxEntry, intents: Sequence[str]) -> str:
        suggested = entry.intent.rstrip(UNREVIEWED)
        print(f"\n{entry.text}\n  why: {'; '.join(entry.why) or '-'}   seen: {entry.seen}")
        if entry.answer:
            print(f"  answered: {entry.answer}")
        choices = [questionary.Choice(f"{suggested} (predicted)", value=suggested)] if suggested in intents else []
        choices += [intent for intent in intents if intent != suggested] + [questionary.Separator(), DISCARD, STOP]
        return questionary.select("Intent:", choices=choices).ask() or STOP

    def entity_step(self, text: str) -> str:
        return questionary.select(f"Entities in: {text}", choices=[DONE, MARK, CLEAR]).ask() or DONE

    def term(self, terms: Dict[str, Term]) -> Optional[Term]:
        answer = questionary.autocomplete(
            "Term (entity:value, Tab completes; empty to go back):",
            choices=sorted(terms),
            validate=lambda value: not value or value in terms or "pick one of the suggested terms",
            validate_while_typing=False,
        ).ask()
        return terms.get(answer or "")

    def words(self, text: str, term: Term) -> str:
        return (
            questionary.text(
                f'Words in "{text}" that mean {term[1]}:',
                validate=lambda value: (
                    bool(value.strip())
                    and value.strip().lower() in text.lower()
                    or "type words exactly as they appear in the message"
                ),
                validate_while_typing=False,
            ).ask()
            or ""
        )
