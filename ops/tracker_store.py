"""Rasa's SQL tracker store (SQLite or PostgreSQL, one SQLAlchemy URL), failing visibly.

Stock Rasa retries an unreachable database forever at start-up, and at run
time falls back to an empty in-memory conversation and logs the database
error, whose SQL parameters hold the conversation. This store instead:

- at start-up connects once and stops the server with an error naming the
  store (its URL without the password);
- at run time logs a short error, reports the failure into the current turn
  (``ops.turns``: the user is told to try again) and does not save that turn,
  so a retry continues the conversation where it was;
- keeps the latest conversations in memory: rebuilding a tracker from its
  stored events is the costliest part of a turn after the models, so a turn
  first asks the database only for the id and time of the conversation's last
  event, and reuses the copy in memory when no server has stored or deleted
  an event since. Like Rasa's SQL store itself, this relies on the lock store
  letting one server at a time handle a conversation.

Endpoints file::

    tracker_store:
      type: ops.tracker_store.GuardedSQLTrackerStore
      url: ${BME_DATABASE_URL}     # e.g. postgresql://bme:secret@db:5432/bme
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator, List, Optional, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ops.turns import TRACKER_STORE, current_turn_failed, report_failure

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
    def __init__(self, domain: Any = None, host: Optional[str] = None, event_broker: Any = None,
                 **kwargs: Any) -> None:
        """``host`` is the ``url`` of the endpoints file (Rasa passes it under this name)."""
        if not host:
            raise TrackerStoreUnavailable("The tracker store needs a 'url' in the endpoints file.")
        url = store_url(host)
        check_reachable(url)
        super().__init__(domain=domain, host=url.render_as_string(hide_password=False),
                         event_broker=event_broker, **kwargs)
        self._in_memory: "OrderedDict[str, Tuple[Version, DialogueStateTracker]]" = OrderedDict()
        logger.info("Conversations are stored in %r.", url)

    def _version(self, sender_id: str) -> Version:
        """The id and time of the conversation's last event: they change whenever a server
        stores or deletes one (SQLite may reuse the id of a deleted event, not its time)."""
        with self.session_scope() as session:
            return tuple(session.query(sa.func.max(self.SQLEvent.id), sa.func.max(self.SQLEvent.timestamp))
                         .filter(self.SQLEvent.sender_id == sender_id).one())

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

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        with failures_reported():
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        if current_turn_failed():
            logger.warning("Conversation %s: the turn failed, so it is not saved.", tracker.sender_id)
            return
        with failures_reported():
            await super().save(tracker)
            self._keep(tracker.sender_id, self._version(tracker.sender_id), DialogueStateTracker.from_events(
                tracker.sender_id, latest_session(tracker.events), self.domain.slots))
