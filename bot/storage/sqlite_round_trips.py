"""One trip to aiosqlite's thread per statement, instead of three or four.

aiosqlite runs each SQLite connection on a thread of its own, and SQLAlchemy's adapter makes a separate trip
to that thread to open a cursor, execute, fetch the rows and close the cursor. Each trip hands the GIL over and
wakes the event loop, and together they cost more than the statement itself: `/roadmap done` made 27 trips.
The cursor here does all four steps in one trip, with the results already fetched, and the connection skips
the trip of the pool's ROLLBACK when no transaction is open (SQLite would do nothing with it).

This leans on internals of aiosqlite (`Connection._execute`, `Connection._conn`) and of SQLAlchemy's asyncio
adapter; `install` checks for them and leaves the stock adapter in place when a version lacks them.
"""

from __future__ import annotations

import collections
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.sqlite import aiosqlite as sqlalchemy_aiosqlite

log = logging.getLogger(__name__)

Description = tuple[tuple[Any, ...], ...] | None


class _Finished:
    """What the adapter reads off a cursor after a statement, captured before the real cursor was closed."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, description: Description = None, rowcount: int = -1, lastrowid: int | None = None) -> None:
        self.description = description
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self.arraysize = 1

    def close(self) -> None:
        """Already closed on the connection's thread."""


def _execute(conn: sqlite3.Connection, sql: str, parameters: Any) -> tuple[_Finished, list[Any] | None]:
    """On the connection's thread: the statement with its rows, as the stock adapter would have fetched them."""
    cursor = conn.cursor()
    try:
        if parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        # After the fetch: SQLite counts the rows a DML statement with RETURNING changed as they are stepped.
        return _Finished(description, cursor.rowcount, cursor.lastrowid), rows
    finally:
        cursor.close()


def _execute_many(conn: sqlite3.Connection, sql: str, parameters: Sequence[Any]) -> _Finished:
    cursor = conn.cursor()
    try:
        cursor.executemany(sql, parameters)
        return _Finished(cursor.description, cursor.rowcount, cursor.lastrowid)
    finally:
        cursor.close()


class OneTripCursor(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False  # `close` has nothing left to wait for

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Finished()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        async with self._adapt_connection._execute_mutex:
            finished, rows = await self._connection._execute(_execute, self._connection._conn, operation, parameters)
            self._cursor = finished
            if rows is not None:
                self._rows = collections.deque(rows)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        async with self._adapt_connection._execute_mutex:
            conn = self._connection
            self._cursor = await conn._execute(_execute_many, conn._conn, operation, seq_of_parameters)


class OneTripConnection(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def rollback(self) -> None:
        # The pool rolls back every connection it gets back, nearly always after a COMMIT. `in_transaction`
        # only reads SQLite's autocommit flag, which is safe from this thread while no statement runs.
        if self._connection._conn.in_transaction:
            super().rollback()


def _supported(connection: object) -> bool:
    driver = getattr(connection, "_connection", None)
    return (
        type(connection) is sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_connection
        and callable(getattr(driver, "_execute", None))
        and isinstance(getattr(driver, "_conn", None), sqlite3.Connection)
        and callable(getattr(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_cursor, "_execute_async", None))
        and callable(getattr(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_cursor, "_make_new_cursor", None))
        and callable(getattr(sqlalchemy_aiosqlite.AsyncAdapt_aiosqlite_cursor, "_aenter_cursor", None))
    )


def install(dbapi_connection: Any) -> bool:
    """Make a fresh aiosqlite connection (from the pool's `connect` event) use one trip per statement.

    Returns False, changing nothing, when the installed aiosqlite or SQLAlchemy is not the shape this expects.
    """
    if not _supported(dbapi_connection):
        log.debug("aiosqlite or SQLAlchemy internals differ: keeping the stock cursor")
        return False
    # Same slots, one class attribute and one method more: the instance's layout does not change.
    dbapi_connection.__class__ = OneTripConnection
    return True
