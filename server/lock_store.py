"""Rasa's Redis lock store, safe when several Rasa servers share it.

A conversation's lock is a queue of tickets kept in one Redis key. Stock
Rasa 3.6 reads the key, changes it and writes it back in separate calls, so
two servers taking a ticket at the same moment can both get the same number
and handle one conversation's messages at the same time, and a server
deleting a finished lock can drop another server's fresh ticket. Here each
change is one optimistic Redis transaction (WATCH/MULTI, retried on
conflict). Waiting for the lock polls every 50 ms instead of every second.

Endpoints file::

    lock_store:
      type: server.lock_store.AtomicRedisLockStore
      url: ${BME_REDIS_HOST}
      port: ${BME_REDIS_PORT}
      password: ${BME_REDIS_PASSWORD}
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_INTERVAL_S = 0.05
Result = TypeVar("Result")


class LockStoreUnavailable(ConnectionError):
    """Rasa stops at start-up with "Cannot connect to lock store" on a ``ConnectionError``."""


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)
        try:
            self.red.ping()
        except redis.RedisError as error:
            where = f"{endpoint_config.url}:{endpoint_config.kwargs.get('port', 6379)}"
            raise LockStoreUnavailable(f"Cannot reach the Redis lock store at {where}: {error}") from None

    def _change(self, conversation_id: str, change: Callable[[TicketLock], Result]) -> Result:
        """Apply ``change`` to the conversation's lock (a new one if there is none)
        and store the result atomically; an empty lock is deleted."""
        key = self.key_prefix + conversation_id
        result = None

        def transaction(pipe: redis.client.Pipeline) -> None:
            nonlocal result
            stored = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(stored)) if stored else TicketLock(conversation_id)
            result = change(lock)
            pipe.multi()
            if lock.is_someone_waiting():
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)

        self.red.transaction(transaction, key)
        return result

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from None

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, TicketLock.remove_expired_tickets)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_INTERVAL_S
    ) -> AsyncIterator[TicketLock]:
        """Rasa's lock, re-checked every ``POLL_INTERVAL_S`` at most while waiting (Rasa asks for every second)."""
        async with super().lock(conversation_id, lock_lifetime, min(wait_time_in_seconds, POLL_INTERVAL_S)) as lock:
            yield lock
