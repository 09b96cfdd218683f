"""``column IN (a list given at execution)``, one statement text whatever the list's length.

SQLAlchemy's expanding IN (``column.in_(bindparam(name, expanding=True))``) renders one
placeholder per value when the statement runs: the text changes with the list's
length, so each execution pays that rendering, and on PostgreSQL every new length is a
new statement for the driver to prepare, and its cache of prepared statements holds
only so many. The answer writer's reads take lists whose length is the batch's, so
they vary from 1 to hundreds. On PostgreSQL ``column = ANY(:name)`` takes the list as
one array parameter: one text, prepared once per connection, and still an index scan.
SQLite has no arrays and keeps the expanding IN.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType


class InList(ColumnElement[bool]):
    """True where ``column`` is one of the values bound as ``name`` when the statement runs."""

    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: SQLite must not render it as ``(…) = 1``
    # What the cache key covers; SQLAlchemy declares it a plain list on every element.
    _traverse_internals: _TraverseInternalsType = [  # noqa: RUF012
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name


def in_list(column: ColumnElement[Any], name: str) -> InList:
    """``column IN (:name)``, the list passed as the execution parameter ``name``."""
    return InList(column, name)


@compiles(InList)
def _expanding_in(element: InList, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(InList, "postgresql")
def _any_of_array(element: InList, compiler: SQLCompiler, **kw: Any) -> str:
    array = bindparam(element.name, type_=postgresql.ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)
