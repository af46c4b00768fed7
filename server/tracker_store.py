"""Rasa's SQL tracker store (SQLite or PostgreSQL, one SQLAlchemy URL), failing visibly.

Stock Rasa retries an unreachable database forever at start-up, and at run
time falls back to an empty in-memory conversation and logs the database
error, whose SQL parameters hold the conversation. This store instead:

- at start-up connects once and stops the server with an error naming the
  store (its URL without the password);
- at run time logs a short error, reports the failure into the current turn
  (``server.turns``: the user is told to try again) and does not save that turn,
  so a retry continues the conversation where it was;
- keeps the latest conversations in memory: rebuilding a tracker from its
  stored events is the costliest part of a turn after the models, so a turn
  first asks the database only for the id and time of the conversation's last
  event, and reuses the copy in memory when no server has stored or deleted
  an event since. Saving a turn asks the same instead of counting the stored
  events of the session. Like Rasa's SQL store itself, this relies on the lock
  store letting one server at a time handle a conversation;
- keeps SQLite connections open (SQLAlchemy 1.4 opens one per query for a
  file) and writes SQLite's journal ahead (WAL), which syncs the disk at
  checkpoints rather than at every turn.

Endpoints file::

    tracker_store:
      type: server.tracker_store.GuardedSQLTrackerStore
      url: ${BME_DATABASE_URL}     # e.g. postgresql://bme:secret@db:5432/bme
"""

from __future__ import annotations

import itertools
import logging
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator, List, Optional, Tuple, Union

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from server.turns import TRACKER_STORE, current_turn_failed, report_failure

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 3
CONVERSATIONS_IN_MEMORY = 1000
Version = Tuple[Optional[int], Optional[float]]  # the id and time of a conversation's last event


class TrackerStoreUnavailable(ConnectionError):
    """Rasa stops at start-up with "Cannot connect to tracker store" on a ``ConnectionError``."""


def short_reason(error: SQLAlchemyError) -> str:
    """The driver's first line, without the SQL statement and its parameters."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{cause.__class__.__name__}: {lines[0] if lines else ''}"


def store_url(url: str) -> URL:
    """The URL with a connection timeout for PostgreSQL, so a lost database cannot stall the server."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise TrackerStoreUnavailable("The tracker store URL is not a SQLAlchemy database URL.") from None
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        return parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    return parsed


def check_reachable(url: URL) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as error:
        raise TrackerStoreUnavailable(f"Cannot reach the tracker store {url!r}: {short_reason(error)}") from None
    finally:
        engine.dispose()


def sqlite_engine(url: URL) -> Engine:
    """Pooled connections (one thread at a time uses each) in WAL mode, whose
    NORMAL sync loses at most the last turns on power loss, never the file."""
    engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})

    @sa.event.listens_for(engine, "connect")
    def write_ahead(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")

    return engine


def continues(tracker: DialogueStateTracker, stored: DialogueStateTracker) -> bool:
    """Whether ``tracker`` starts with ``stored``'s events (as many, ending with the same one)."""
    count = len(stored.events)
    if count == 0:
        return True
    if len(tracker.events) < count:
        return False
    mine, theirs = tracker.events[count - 1], stored.events[-1]
    return mine.type_name == theirs.type_name and mine.timestamp == theirs.timestamp


def latest_session(events: List[Event]) -> List[Event]:
    """The events Rasa's SQL store loads for a turn: from the last session start on."""
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    return [event for event in events if event.timestamp >= starts[-1]] if starts else list(events)


@contextmanager
def failures_reported() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as error:
        logger.error("The tracker store failed: %s", short_reason(error))
        report_failure(TRACKER_STORE, short_reason(error))


class GuardedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Any = None, host: Optional[str] = None, event_broker: Any = None, **kwargs: Any) -> None:
        """``host`` is the ``url`` of the endpoints file (Rasa passes it under this name)."""
        if not host:
            raise TrackerStoreUnavailable("The tracker store needs a 'url' in the endpoints file.")
        url = store_url(host)
        check_reachable(url)
        super().__init__(
            domain=domain, host=url.render_as_string(hide_password=False), event_broker=event_broker, **kwargs
        )
        if self.engine.dialect.name == "sqlite":
            self.engine.dispose()
            self.engine = sqlite_engine(self.engine.url)
            self.sessionmaker = sessionmaker(bind=self.engine)
        self._version_query = sa.select(sa.func.max(self.SQLEvent.id), sa.func.max(self.SQLEvent.timestamp)).where(
            self.SQLEvent.sender_id == sa.bindparam("sender_id")
        )
        self._in_memory: "OrderedDict[str, Tuple[Version, DialogueStateTracker]]" = OrderedDict()
        logger.info("Conversations are stored in %r.", url)

    def _version(self, sender_id: str, database: Union[Connection, Session, None] = None) -> Version:
        """The id and time of the conversation's last event: they change whenever a server
        stores or deletes one (SQLite may reuse the id of a deleted event, not its time).
        Asked in ``database`` (a connection or session), else in a connection of its own."""
        if database is None:
            with self.engine.connect() as connection:
                return self._version(sender_id, connection)
        return tuple(database.execute(self._version_query, {"sender_id": sender_id}).one())

    def _keep(self, sender_id: str, version: Version, tracker: DialogueStateTracker) -> None:
        self._in_memory[sender_id] = (version, tracker)
        self._in_memory.move_to_end(sender_id)
        if len(self._in_memory) > CONVERSATIONS_IN_MEMORY:
            self._in_memory.popitem(last=False)

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        """The conversation's latest session, as Rasa's SQL store loads it for a turn."""
        with failures_reported():
            version = self._version(sender_id)
            kept = self._in_memory.get(sender_id)
            if kept is not None and kept[0] == version:
                self._in_memory.move_to_end(sender_id)
                return kept[1].copy()
            tracker = await super().retrieve(sender_id)
            if tracker is not None:
                self._keep(sender_id, version, tracker.copy())
            return tracker
        return None

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with failures_reported():
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        return None

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events after the copy in memory when the database holds just that copy;
        else Rasa's count of the session's stored events decides."""
        kept = self._in_memory.get(tracker.sender_id)
        if kept is not None and continues(tracker, kept[1]) and self._version(tracker.sender_id, session) == kept[0]:
            return itertools.islice(tracker.events, len(kept[1].events), None)
        return super()._additional_events(session, tracker)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if current_turn_failed():
            logger.warning("Conversation %s: the turn failed, so it is not saved.", tracker.sender_id)
            return
        with failures_reported():
            await super().save(tracker)
            self._keep(
                tracker.sender_id,
                self._version(tracker.sender_id),
                DialogueStateTracker.from_events(tracker.sender_id, latest_session(tracker.events), self.domain.slots),
            )
