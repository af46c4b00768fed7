"""The turn being handled: one user message and everything Rasa does for it.

The input channel opens a turn around each message; the action endpoint and
the tracker store report a failure of their service into it. A failed turn
is not saved, and the user is told to try again instead of getting silence
or a half answer.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Iterator, Optional

ACTION_SERVER = "action server"
TRACKER_STORE = "tracker store"
# A turn normally takes well under a second; this bounds waiting for the
# conversation's lock, a hung store and the action calls together.
TURN_DEADLINE_S = 10.0


@dataclass
class Turn:
    failed_service: Optional[str] = None
    reason: Optional[str] = None

    @property
    def failed(self) -> bool:
        return self.failed_service is not None

    def fail(self, service: str, reason: str) -> None:
        """Record the first failure only: later ones are its consequences."""
        if not self.failed:
            self.failed_service, self.reason = service, reason


_current: ContextVar[Optional[Turn]] = ContextVar("bme_turn", default=None)


@contextmanager
def open_turn() -> Iterator[Turn]:
    """A new turn for the code run in this context (asyncio tasks started in it share it)."""
    turn = Turn()
    token = _current.set(turn)
    try:
        yield turn
    finally:
        _current.reset(token)


def report_failure(service: str, reason: str) -> None:
    """Mark the current turn failed; outside a turn (e.g. at start-up) there is nothing to mark."""
    turn = _current.get()
    if turn is not None:
        turn.fail(service, reason)


def current_turn_failed() -> bool:
    turn = _current.get()
    return turn is not None and turn.failed
