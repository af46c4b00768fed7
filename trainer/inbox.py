"""The inbox: user messages from real conversations that the assistant
probably misunderstood, as YAML a trainer corrects and then merges.

A message is picked when the user rated its answer 👎 (listed first), it
ended in a fallback, its intent confidence was below a threshold, or the
user's next message rephrased or repeated it.
Conversations are read from Rasa's SQL tracker store (its ``events`` table)
with SQLAlchemy: the local SQLite file or any SQL URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

import sqlalchemy
import yaml
from pydantic import BaseModel, Extra, ValidationError, confloat, conint, constr
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, NoSuchTableError, SQLAlchemyError

from bme.feedback import ANSWERED, Vote, votes_from_events
from trainer import TrainerError, read_yaml
from trainer.nlu_data import Entity, annotate, normalise

DEFAULT_THRESHOLD = 0.7
# Share of content words two consecutive messages must have in common to count as a rephrase.
REPHRASE_SIMILARITY = 0.5
# Longer messages make poor training examples.
MAX_TEXT_LENGTH = 300
FALLBACK_INTENT = "nlu_fallback"
CORE_FALLBACK_ACTION = "action_default_fallback"
SESSION_START_ACTION = "action_session_start"
UNREVIEWED = "?"
# The inbox's first group: questions whose answer the user rated 👎.
RATED_UNHELPFUL = "👎 rated unhelpful"

HEADER = """\
# NLU inbox: {count} messages the assistant may have misunderstood, grouped by predicted intent;
# questions whose answer users rated 👎 come first, with the answer (docs/TRAINING.md: acting on feedback).
# Review each entry:
#   - its intent ends in "?" until you review it: delete the "?" when the intent is right,
#     or write the right one (an intent from domain.yml); delete the whole entry to leave it out;
#   - entities are marked like [ESWT]{{"entity": "treatment", "value": "eswt"}}, the value being the
#     canonical id in knowledge/vocabulary.yml: fix or add marks.
# Then `make merge` adds the reviewed entries to data/nlu/ (`make annotate` reviews interactively).
# This file holds real users' messages: keep it out of version control.
"""


@dataclass
class Turn:
    """One user message and what the assistant did until the next one."""

    conversation: Tuple[str, int]  # sender and session number
    text: str
    intent: str  # as recorded, nlu_fallback included
    predicted: str  # the likeliest real intent
    confidence: float  # of the predicted intent
    entities: Tuple[Entity, ...]
    actions: List[str] = field(default_factory=list)
    answer: str = ""  # the clinical answer given, if any
    answered_at: Optional[float] = None  # its event's timestamp, which feedback names

    def terms(self) -> Set[Tuple[str, str]]:
        return {(entity.entity, entity.value) for entity in self.entities}


class InboxEntry(BaseModel):
    text: constr(strip_whitespace=True, min_length=1)
    intent: constr(strip_whitespace=True, min_length=1)
    confidence: Optional[confloat(ge=0, le=1)] = None
    why: List[str] = []
    seen: conint(ge=1) = 1
    answer: Optional[str] = None  # for questions rated 👎

    class Config:
        extra = Extra.forbid

    @property
    def reviewed(self) -> bool:
        return not self.intent.endswith(UNREVIEWED)


Inbox = Dict[str, List[InboxEntry]]  # predicted intent -> entries


def store_url(store: str) -> str:
    """A SQL URL as given, or the SQLite URL of a tracker store file."""
    if "://" in store:
        return store
    path = Path(store)
    if not path.is_file():
        raise TrainerError(
            f"{store}: no tracker store file there; chat with the assistant first (make run) "
            "or give a SQL URL such as postgresql://user@host/rasa"
        )
    return f"sqlite:///{path.resolve()}"


Event = Tuple[str, Mapping[str, Any]]  # sender, event as Rasa stores it


def read_events(url: str, since: Optional[float] = None, until: Optional[float] = None) -> List[Event]:
    """The store's events by sender, then in order; those from the UNIX time
    ``since`` on and before ``until``, if given."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
        engine = sqlalchemy.create_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise TrainerError(f"{url}: not a usable SQL URL ({error})") from None
    try:
        with engine.connect() as connection:
            events = sqlalchemy.Table("events", sqlalchemy.MetaData(), autoload_with=connection)
            query = sqlalchemy.select(events.c.sender_id, events.c.data).order_by(events.c.sender_id, events.c.id)
            if since is not None:
                query = query.where(events.c.timestamp >= since)
            if until is not None:
                query = query.where(events.c.timestamp < until)
            rows = connection.execute(query).all()
    except NoSuchTableError:
        raise TrainerError(f"{shown}: no 'events' table, so this is not a Rasa tracker store") from None
    except SQLAlchemyError as error:
        raise TrainerError(
            f"{shown}: cannot read the tracker store: {error.__class__.__name__}: {str(error).splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    return list(_decoded(rows))


def _decoded(rows: Iterable[Tuple[str, str]]) -> Iterator[Event]:
    for sender, data in rows:
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue  # not an event Rasa wrote
        if isinstance(event, dict):
            yield sender, event


def read_turns(url: str, since: Optional[float] = None) -> List[Turn]:
    """The user turns in the store, those from the UNIX time ``since`` on if given."""
    return list(turns_from_events(read_events(url, since)))


def turns_from_events(events: Iterable[Event]) -> Iterator[Turn]:
    """User turns from (sender, event) pairs ordered by sender, then time."""
    current: Optional[Turn] = None
    sessions: Dict[str, int] = {}
    for sender, event in events:
        kind, name = event.get("event"), event.get("name")
        if kind == "action" and name == SESSION_START_ACTION:
            sessions[sender] = sessions.get(sender, 0) + 1
        if kind == "user":
            if current:
                yield current
            current = _turn((sender, sessions.get(sender, 0)), event)
        elif current and current.conversation[0] == sender:
            if kind == "action":
                current.actions.append(name)
            elif kind == "bot" and (event.get("metadata") or {}).get(ANSWERED):
                current.answer, current.answered_at = event.get("text") or "", event.get("timestamp")
    if current:
        yield current


def _turn(conversation: Tuple[str, int], event: dict) -> Turn:
    # One line per training example; replacing keeps the entities' character offsets.
    text = (event.get("text") or "").replace("\r", " ").replace("\n", " ")
    parse = event.get("parse_data") or {}
    intent = parse.get("intent") or {}
    best = next((item for item in parse.get("intent_ranking") or [] if item.get("name") != FALLBACK_INTENT), intent)
    entities = tuple(
        Entity(item["entity"], str(item["value"]), item["start"], item["end"], text[item["start"] : item["end"]])
        for item in parse.get("entities") or []
        if {"entity", "value", "start", "end"} <= set(item)
    )
    return Turn(
        conversation,
        text,
        intent.get("name") or "",
        best.get("name") or "",
        float(best.get("confidence") or 0.0),
        entities,
    )


def _content_words(text: str) -> Set[str]:
    return set(normalise(text).split()) - ENGLISH_STOP_WORDS


def rephrases(turn: Turn, following: Turn) -> bool:
    """Whether ``following`` repeats ``turn`` or says the same in other words (same or more named terms)."""
    if turn.conversation != following.conversation:
        return False
    if normalise(turn.text) == normalise(following.text):
        return True
    words, following_words = _content_words(turn.text), _content_words(following.text)
    if not words or not following_words:
        return False
    similarity = len(words & following_words) / len(words | following_words)
    return similarity >= REPHRASE_SIMILARITY and turn.terms() <= following.terms()


def reasons(turn: Turn, following: Optional[Turn], threshold: float) -> List[str]:
    found = []
    if turn.intent == FALLBACK_INTENT or CORE_FALLBACK_ACTION in turn.actions:
        found.append("fell back")
    elif turn.confidence < threshold:
        found.append(f"low confidence ({turn.confidence:.2f} < {threshold:.2f})")
    if following and rephrases(turn, following):
        same = normalise(turn.text) == normalise(following.text)
        found.append("repeated by the user" if same else f'rephrased as "{following.text}"')
    return found


def rated_entry(turn: Turn, vote: Vote, why: List[str]) -> InboxEntry:
    """A question whose answer was rated 👎, with the answer and the reason."""
    return InboxEntry(
        text=annotate(turn.text, turn.entities),
        intent=turn.predicted + UNREVIEWED,
        confidence=round(turn.confidence, 2),
        why=[f"rated unhelpful: {vote.reason or 'no reason given'}", *why],
        answer=turn.answer,
    )


def select(turns: List[Turn], threshold: float, known: Set[str], votes: Sequence[Vote] = ()) -> Inbox:
    """Picked messages: first those whose answer ``votes`` rate 👎 (each
    time), then one entry per normalised text, grouped by predicted intent.

    ``known`` holds the normalised texts of training examples: those are
    skipped unless rated 👎.
    """
    unhelpful = {(vote.conversation, vote.answered_at): vote for vote in votes if not vote.helpful}
    rated: List[InboxEntry] = []
    entries: Dict[str, Tuple[str, InboxEntry]] = {}
    for turn, following in zip(turns, [*turns[1:], None], strict=True):
        key = normalise(turn.text)
        if not key or turn.text.startswith("/") or len(turn.text) > MAX_TEXT_LENGTH:
            continue  # empty, a button payload, or too long
        why = reasons(turn, following, threshold)
        vote = unhelpful.get((turn.conversation[0], turn.answered_at))
        if vote:
            rated.append(rated_entry(turn, vote, why))
            continue
        if key in known:
            continue
        if not why:
            continue
        if key in entries:
            entry = entries[key][1]
            entry.seen += 1
            entry.why += [reason for reason in why if reason not in entry.why]
        else:
            entry = InboxEntry(
                text=annotate(turn.text, turn.entities),
                intent=turn.predicted + UNREVIEWED,
                confidence=round(turn.confidence, 2),
                why=why,
            )
            entries[key] = (turn.predicted, entry)
    inbox: Inbox = {RATED_UNHELPFUL: rated} if rated else {}
    for predicted, entry in sorted(entries.values(), key=lambda item: (item[0], -item[1].seen, item[1].confidence)):
        inbox.setdefault(predicted, []).append(entry)
    return inbox


def write_inbox(path: Path, inbox: Inbox) -> None:
    content = {group: [entry.dict() for entry in entries] for group, entries in inbox.items() if entries}
    count = sum(len(entries) for entries in content.values())
    body = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=1000) if content else ""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(HEADER.format(count=count) + body, encoding="utf-8")


def read_inbox(path: Path) -> Inbox:
    content = read_yaml(path, str(path)) or {}
    if not isinstance(content, dict):
        raise TrainerError(f"{path}: expected predicted intents, each with a list of entries")
    inbox: Inbox = {}
    for group, entries in content.items():
        if not isinstance(entries, list):
            raise TrainerError(f"{path}: {group}: expected a list of entries")
        inbox[str(group)] = [_entry(path, group, number, entry) for number, entry in enumerate(entries, start=1)]
    return inbox


def _entry(path: Path, group: str, number: int, data) -> InboxEntry:
    try:
        return InboxEntry.parse_obj(data)
    except ValidationError as error:
        problems = "; ".join(f"'{'.'.join(map(str, issue['loc']))}' {issue['msg']}" for issue in error.errors())
        raise TrainerError(f"{path}: {group}, entry {number}: {problems}") from None


def build_inbox(
    store: str, out: Path, threshold: float, known: Set[str], overwrite: bool, since: Optional[float] = None
) -> Inbox:
    """Write the inbox of the store's conversations (from ``since`` on) to ``out``."""
    if Path(out).exists() and not overwrite:
        raise TrainerError(
            f"{out} already exists and may hold reviews not merged yet: "
            "merge it (make merge) or delete it first, or overwrite it with --force"
        )
    events = read_events(store_url(store), since)
    inbox = select(list(turns_from_events(events)), threshold, known, votes_from_events(events))
    write_inbox(out, inbox)
    return inbox
