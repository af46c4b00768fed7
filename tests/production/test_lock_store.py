"""The Redis lock store that several Rasa servers share (server/lock_store.py), on a real Redis."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.utils.endpoints import EndpointConfig

from server.lock_store import AtomicRedisLockStore, LockStoreUnavailable
from tests.processes import free_port

SERVERS = 4
TICKETS = 200


def lock_store(services, **overrides) -> AtomicRedisLockStore:
    settings = {"port": services.redis_port, "password": services.redis_password, "key_prefix": "locktest", **overrides}
    return AtomicRedisLockStore(EndpointConfig(url=services.redis_host, **settings))


def test_servers_taking_tickets_at_once_never_share_one(services):
    """Rasa's own RedisLockStore hands out duplicate tickets here (about a third unique)."""
    stores = [lock_store(services) for _ in range(SERVERS)]
    with ThreadPoolExecutor(2 * SERVERS) as pool:
        tickets = list(pool.map(lambda number: stores[number % SERVERS].issue_ticket("shared"), range(TICKETS)))
    assert sorted(tickets) == list(range(TICKETS))

    for ticket in tickets[:-1]:
        stores[ticket % SERVERS].cleanup("shared", ticket)
    assert stores[0].get_lock("shared").is_someone_waiting()
    stores[0].cleanup("shared", tickets[-1])
    assert stores[0].get_lock("shared") is None


def test_a_second_message_waits_for_the_first_then_follows_promptly(services):
    order = []

    async def handle(store, name, seconds):
        async with store.lock("queue"):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    async def both():
        await asyncio.gather(handle(lock_store(services), "first", 0.3), handle(lock_store(services), "second", 0))

    started = time.monotonic()
    asyncio.run(asyncio.wait_for(both(), 5))
    assert order == ["first starts", "first ends", "second starts", "second ends"]
    assert time.monotonic() - started < 0.8  # Rasa's stock store checks again only after a second


def test_unreachable_redis_stops_the_server_with_its_address(services):
    port = free_port()
    with pytest.raises(LockStoreUnavailable, match=f"Redis lock store at 127.0.0.1:{port}"):
        lock_store(services, port=port)
