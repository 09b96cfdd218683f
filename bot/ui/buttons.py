"""Persistent buttons and menus: their state lives in the custom_id, so they outlive restarts.

A subclass names its custom_id as a format whose fields are its state, and says what
each field may hold::

    class HistoryButton(PersistentButton, custom_id="streak:history:{user_id}", user_id=ID):
        user_id: int

        def __init__(self, user_id: int) -> None:
            super().__init__(discord.ui.Button(label="Last 30 days"), user_id=user_id)

        async def respond(self, interaction: discord.Interaction[MentorBot]) -> None: ...

The base class builds the custom_id and the template discord.py matches clicks with,
reads the fields back from a click (keeping the component as the message carries it),
refuses a click whose ids cannot be ours, and reports a failing ``respond`` to the member
like a failing command. The formats are those of buttons already posted on Discord:
changing one strands every message that carries the old one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

import discord

from bot.services.errors import UserError
from bot.ui.errors import count_interaction, report_error

if TYPE_CHECKING:
    from bot.app import MentorBot

T = TypeVar("T")
ItemT = TypeVar("ItemT", bound="discord.ui.Button[Any] | discord.ui.Select[Any]")

# Discord ids and our row ids are stored as signed 64-bit integers.
MAX_ID = 2**63 - 1
STALE = "This button is out of date or does not belong here; run the command again."


@dataclass(frozen=True)
class Field(Generic[T]):
    """What one field of a custom_id may hold: its pattern, its parser, and a usability test.

    Parsing never fails (discord.py only logs an error while it rebuilds an item, and the
    member sees "This interaction failed"); a parsed value that fails ``usable`` makes
    the click answer with :data:`STALE` instead.
    """

    pattern: str
    parse: Callable[[str], T]
    usable: Callable[[T], bool] = lambda _value: True


def _is_id(value: int) -> bool:
    return 0 < value <= MAX_ID


ID = Field(r"\d{1,20}", int, _is_id)
"""A Discord id or one of our row ids."""
POSITION = Field(r"[0-3]", int)
"""The position of a choice on a question."""
SLUG = Field(r"[a-z0-9][a-z0-9-]{0,39}", str)
"""A skill's slug."""


def matching(pattern: str) -> Field[str]:
    """A text field matching ``pattern``."""
    return Field(pattern, str)


def one_of(*words: str) -> Field[str]:
    """One of a few fixed words (an action)."""
    return Field("|".join(re.escape(word) for word in words), str)


def _template(custom_id: str, fields: dict[str, Field[Any]]) -> str:
    """The regular expression matching every custom_id the format can produce."""
    parts: list[str] = []
    named: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(custom_id):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if spec or conversion or name not in fields:
            raise TypeError(f"custom_id field {{{name}}} needs a plain name given a Field")
        named.append(name)
        parts.append(f"(?P<{name}>{fields[name].pattern})")
    if sorted(named) != sorted(fields):
        raise TypeError(f"custom_id {custom_id!r} must use each field once: {sorted(fields)}")
    return "".join(parts)


class PersistentItem(discord.ui.DynamicItem[ItemT], template=r"(?!)"):
    """A component whose custom_id carries its state; see the module's docstring."""

    _format: ClassVar[str]
    _fields: ClassVar[dict[str, Field[Any]]]

    def __init_subclass__(cls, *, custom_id: str, **fields: Field[Any]) -> None:
        super().__init_subclass__(template=_template(custom_id, fields))
        cls._format = custom_id
        cls._fields = fields

    def __init__(self, item: ItemT, /, **values: Any) -> None:
        item.custom_id = self._format.format(**values)
        super().__init__(item)
        self._keep(values)

    def _keep(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        """The clicked component as the message carries it, with the state its custom_id holds."""
        restored = cls.__new__(cls)
        discord.ui.DynamicItem.__init__(restored, item)
        restored._keep({name: field.parse(match[name]) for name, field in cls._fields.items()})
        return restored

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Run :meth:`respond`; the member hears of any failure as of a failing command."""
        label = type(self).__name__
        try:
            if not all(f.usable(getattr(self, n)) for n, f in self._fields.items()):
                raise UserError(STALE)
            await self.respond(interaction)
        except Exception as exc:
            await report_error(interaction, exc, label=label)
        else:
            count_interaction(interaction, label, "ok")

    async def respond(self, interaction: discord.Interaction[MentorBot]) -> None:
        """What the click does."""
        raise NotImplementedError


PersistentButton = PersistentItem[discord.ui.Button[discord.ui.View]]
PersistentSelect = PersistentItem[discord.ui.Select[discord.ui.View]]
