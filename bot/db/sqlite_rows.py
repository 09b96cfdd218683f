"""SQLite: many rows through one INSERT compiled once, handed to the driver as tuples.

Given a list of parameter sets, SQLAlchemy builds every row's parameters anew
(``construct_params``, then each value's bind processor looked up by name) and, for an
INSERT with RETURNING, renders a multi-row VALUES text on every execution; the answer
path inserts ~16 rows per answer this way. Here an INSERT is compiled once: each row
becomes a tuple in the statement's parameter order, with each column's bind processor
(found once) applied, and goes to the driver in one trip into the session's sync side
(no ORM step): ``executemany`` when nothing is returned, else one multi-row VALUES
statement per page, its text kept per row count. Measured on 25 rows (the batch at
50 answers in flight): 290 -> 245 µs without RETURNING, 420 -> 370 µs with it.

The tuples are built a column at a time (``map`` over the rows, each column's processor
applied with ``map``, a left-out column's processed default repeated) and zipped into
rows in C: the answer path binds ~90 values per answer, and a Python call per value cost
a third more (25 activity rows: 131-150 -> 98 µs).

An INSERT of many rows that returns nothing (a batch's board totals: four rows per
answer, each firing the bucket trigger) goes to the driver's thread even inside
``statements_on_loop``, as multi-row VALUES statements: SQLite runs each in one
``sqlite3_step``, which the sqlite3 module runs with the GIL released, so the rows and
their triggers (~5 ms for a batch of 50 answers) are written while the event loop goes
on. ``executemany`` would step each row apart and take the GIL back between rows, each
time waiting for the busy loop to give it up. Measured with ``bench.answer_writer``
(medians of three interleaved series): the loop's CPU per answer -11 / -15 / -25 % at
batches of 25 / 50 / 100.

Only what ``bot.db.upsert.insert_rows`` builds is compiled here: an INSERT of one VALUES
row, its columns given, optionally followed by ON CONFLICT and RETURNING clauses.
Columns left out of the rows take their scalar Python default, as SQLAlchemy would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from bot.db import sqlite_driver

Processor = Callable[[Any], Any] | None
_VALUES = " VALUES "
# Rows from which an INSERT that returns nothing is written on the driver's thread.
THREAD_ROWS = 60


@dataclass
class CompiledRows:
    """One INSERT as text around its VALUES row, with what turns a row into its parameters."""

    head: str  # up to and including " VALUES "
    row: str  # "(?, ?, …)"
    tail: str  # ON CONFLICT …, RETURNING … (may be empty)
    # Per "?" of the row: its column if the rows give it, else None and its processed
    # default; and the column's bind processor.
    order: tuple[tuple[str | None, Any], ...]
    processors: tuple[Processor, ...]
    tail_parameters: tuple[Any, ...]  # the tail's own parameters, processed
    returning: bool
    page: int  # rows per statement when RETURNING needs the multi-row form
    _texts: dict[int, str] = field(default_factory=dict)

    @classmethod
    def compile(
        cls, statement: ClauseElement, table: Table, columns: Sequence[str], dialect: Dialect
    ) -> CompiledRows:
        """Compile ``statement`` (an INSERT of rows with ``columns`` into ``table``) once."""
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=list(columns)))
        text = compiled.string
        names = list(compiled.positiontup or ())
        start = text.index(_VALUES) + len(_VALUES)
        end = _closing(text, start) + 1
        width = text.count("?", start, end)
        processors = tuple(_processor(compiled.binds[name], dialect) for name in names)
        order = tuple(
            (name, None)
            if name in columns
            else (None, _applied(processors[index], _default(table, name)))
            for index, name in enumerate(names[:width])
        )
        if set(columns) - {name for name, _ in order}:
            raise ValueError(f"columns missing from the VALUES row of {text!r}")
        tail_parameters = tuple(
            _applied(processors[width + i], compiled.binds[name].effective_value)
            for i, name in enumerate(names[width:])
        )
        return cls(
            head=text[:start],
            row=text[start:end],
            tail=text[end:],
            order=order,
            processors=processors[:width],
            tail_parameters=tail_parameters,
            returning=bool(compiled.effective_returning),
            page=max(
                1,
                min(
                    dialect.insertmanyvalues_page_size,
                    dialect.insertmanyvalues_max_parameters // width,
                ),
            ),
        )

    def tuples(self, rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
        """Each row as the driver's parameters, in the statement's order, processed.

        Raises KeyError for a row without one of the columns the first row gave.
        """
        columns: list[Iterable[Any]] = []
        for (name, default), process in zip(self.order, self.processors, strict=True):
            if name is None:
                columns.append(repeat(default, len(rows)))
                continue
            values: Iterable[Any] = map(itemgetter(name), rows)
            columns.append(values if process is None else map(process, values))
        return list(zip(*columns, strict=True))

    def pages(self, values: list[tuple[Any, ...]]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The rows as multi-row statements of at most ``page`` rows: (text, parameters)."""
        for start in range(0, len(values), self.page):
            page = values[start : start + self.page]
            flat = tuple(value for row in page for value in row) + self.tail_parameters
            yield self.text(len(page)), flat

    def text(self, count: int) -> str:
        """The statement for ``count`` rows (one VALUES row repeated), kept per count."""
        found = self._texts.get(count)
        if found is None:
            found = self._texts[count] = f"{self.head}{', '.join([self.row] * count)}{self.tail}"
        return found


async def execute_rows(
    session: AsyncSession, compiled: CompiledRows, rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """Run ``compiled`` for ``rows`` in the session's transaction; the RETURNING rows, if any."""
    try:
        values = compiled.tuples(rows)
    except (KeyError, TypeError, ValueError) as error:  # reported as SQLAlchemy reports it
        message = f"a row cannot be bound: {error!r}"
        raise StatementError(message, compiled.text(1), None, error) from error
    return await session.run_sync(_execute, compiled, values)


def _execute(
    session: Session, compiled: CompiledRows, values: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    connection = session.connection()
    if compiled.returning:
        return [
            tuple(row)
            for text, parameters in compiled.pages(values)
            for row in connection.exec_driver_sql(text, parameters)
        ]
    if len(values) >= THREAD_ROWS:
        with sqlite_driver.on_driver_thread(connection.connection.dbapi_connection):
            for text, parameters in compiled.pages(values):
                connection.exec_driver_sql(text, parameters)
        return []
    if compiled.tail_parameters:
        values = [row + compiled.tail_parameters for row in values]
    connection.exec_driver_sql(compiled.text(1), values)
    return []


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis closing the one at ``text[start]``."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced VALUES row in {text!r}")


def _default(table: Table, name: str) -> Any:
    """The value SQLAlchemy binds for a column the rows leave out: its scalar default."""
    column = table.c.get(name)
    default = column.default if column is not None else None
    if default is None:
        return None
    if not isinstance(default, ScalarElementColumnDefault):  # computed: give it in every row
        raise ValueError(f"{table.name}.{name} has a computed default; pass it in the rows")
    return default.arg


def _processor(bind: Any, dialect: Dialect) -> Processor:
    processor: Processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _applied(processor: Processor, value: Any) -> Any:
    return value if processor is None else processor(value)
