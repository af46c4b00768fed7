"""Delete stored conversations: one user's on request, and all inactive ones after the retention period.

    python -m server.conversations forget SENDER_ID [SENDER_ID ...]
    python -m server.conversations purge [--older-than-days N]

The store is the one the servers use: ``BME_DATABASE_URL`` in the
production profile (``BME_PROFILE=production``), else the SQLite file
``BME_TRACKER_DB``; ``--store`` names another (a SQLAlchemy URL or a SQLite
file). ``purge`` deletes every conversation whose last message is older than
``BME_RETENTION_DAYS`` (default 30) days. A conversation is deleted
whole, never in part: Rasa's SQL store appends a turn after the events it
finds, so a conversation with missing events would be corrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, NoSuchTableError, SQLAlchemyError

DEFAULT_RETENTION_DAYS = 30
SECONDS_PER_DAY = 24 * 60 * 60


class StoreError(Exception):
    """The store cannot be read or changed; the message says which and why."""


def configured_store() -> str:
    if os.environ.get("BME_PROFILE") == "production":
        return os.environ.get("BME_DATABASE_URL", "")
    return os.environ.get("BME_TRACKER_DB", "")


def retention_days() -> int:
    return int(os.environ.get("BME_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def engine_for(store: str) -> Engine:
    """An engine for a SQLAlchemy URL or an existing SQLite file."""
    if not store:
        raise StoreError(
            "no tracker store given: set BME_TRACKER_DB or, with BME_PROFILE=production, BME_DATABASE_URL,"
            " or pass --store"
        )
    if "://" not in store:
        path = Path(store)
        if not path.is_file():
            raise StoreError(f"{store}: no tracker store file there")
        store = f"sqlite:///{path.resolve()}"
    try:
        return sa.create_engine(store)
    except ArgumentError:  # its message would show the URL, password included
        raise StoreError("--store is neither a SQLite file nor a SQLAlchemy URL") from None


def events_table(connection: sa.engine.Connection) -> sa.Table:
    try:
        return sa.Table("events", sa.MetaData(), autoload_with=connection)
    except NoSuchTableError:
        raise StoreError(f"{connection.engine.url!r}: no 'events' table, so this is not a Rasa tracker store") from None


def forget(engine: Engine, sender_ids: Sequence[str]) -> int:
    """Delete every event of these conversations; the number of events deleted."""
    with engine.begin() as connection:
        events = events_table(connection)
        return connection.execute(events.delete().where(events.c.sender_id.in_(list(sender_ids)))).rowcount


def purge_inactive(engine: Engine, older_than_days: float, now: Optional[float] = None) -> int:
    """Delete the conversations with no event in the last ``older_than_days`` days; how many."""
    cutoff = (time.time() if now is None else now) - older_than_days * SECONDS_PER_DAY
    with engine.begin() as connection:
        events = events_table(connection)
        inactive = (
            sa.select(events.c.sender_id).group_by(events.c.sender_id).having(sa.func.max(events.c.timestamp) < cutoff)
        )
        count = connection.execute(sa.select(sa.func.count()).select_from(inactive.subquery())).scalar_one()
        connection.execute(events.delete().where(events.c.sender_id.in_(inactive)))
    return count


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.conversations", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store",
        default=configured_store(),
        help="SQLAlchemy URL or SQLite file (default: the servers' store, see above)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    forget_parser = commands.add_parser("forget", help="delete these users' conversations")
    forget_parser.add_argument("sender_ids", nargs="+", metavar="SENDER_ID")
    purge_parser = commands.add_parser("purge", help="delete conversations inactive for the retention period")
    purge_parser.add_argument(
        "--older-than-days",
        type=float,
        default=retention_days(),
        help="default: BME_RETENTION_DAYS, else %(default)s",
    )
    args = parser.parse_args(argv)
    try:
        engine = engine_for(args.store)
        try:
            if args.command == "forget":
                count = forget(engine, args.sender_ids)
                print(
                    f"Deleted {count} events of {', '.join(args.sender_ids)}."
                    if count
                    else f"Nothing stored for {', '.join(args.sender_ids)}."
                )
            else:
                count = purge_inactive(engine, args.older_than_days)
                print(f"Deleted {count} conversations inactive for more than {args.older_than_days:g} days.")
        finally:
            engine.dispose()
    except (StoreError, SQLAlchemyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
