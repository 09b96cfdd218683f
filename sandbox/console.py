"""A terminal stand-in for the Discord client, talking to the real bot through the sandbox.

Lines look like slash commands (``/quiz practice topic: docker difficulty: beginner``);
replies print as text with their buttons numbered, and typing a number presses one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import re
import sys
import threading
from collections.abc import AsyncIterator, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from sandbox.commands import SUB_COMMAND, SUB_COMMAND_GROUP
from sandbox.errors import SandboxError
from sandbox.models import (
    SELECT_TYPES,
    Button,
    Channel,
    Guild,
    Message,
    Modal,
    SelectMenu,
    User,
    walk_components,
)
from sandbox.options import leaf_options
from sandbox.sandbox import Sandbox

BANNER = """\
Backend Mentor: offline sandbox
You are chatting with the real bot through a local stand-in for Discord. Nothing
leaves this machine and no token is needed.

  /help                                     what the bot can do
  /skill name: postgres                     options are `name: value`
  /quiz practice topic: docker difficulty: beginner
  1                                         press button [1] of the last reply
  3 expert                                  pick `expert` in select menu [3]
  quit (or Ctrl-D)                          leave

To go live on Discord, set DISCORD_TOKEN (see README) and run `python -m bot run`.
"""

_OPTION = re.compile(r"(?:^|\s)([a-z0-9_-]+):(?!//)", re.IGNORECASE)
BLANK = " \u200b"  # what a field name that should show nothing is made of
Control = Button | SelectMenu


@dataclass(frozen=True)
class CommandLine:
    """A typed slash command: the words before the first ``name:`` and the option values."""

    path: str
    options: dict[str, str] = field(default_factory=dict)


def parse_command_line(line: str, names: Collection[str] | None = None) -> CommandLine:
    """``/quiz practice topic: docker difficulty: beginner`` → path and options.

    A value runs to the next `` word:``; surrounding quotes are dropped. With ``names``
    (the command's option names), only those words start an option, so values may hold
    colons with or without a space: ``time: 20:00``, ``note: a: b``.
    """
    text = line.strip().removeprefix("/")
    known = {n.lower() for n in names} if names is not None else None
    matches = [
        m
        for m in _OPTION.finditer(text)
        if (known is None and not m.group(1)[0].isdigit())
        or (known is not None and m.group(1).lower() in known)
    ]
    path = text[: matches[0].start()] if matches else text
    options: dict[str, str] = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        options[match.group(1).lower()] = value
    return CommandLine(path=" ".join(path.split()), options=options)


_MARKUP = re.compile(r"<(?:t:(-?\d{1,13})(?::([tTdDfFR]))?|#(\d{1,20})|@[!&]?(\d{1,20}))>")
_TIME_FORMATS = {
    "t": "%H:%M",
    "T": "%H:%M:%S",
    "d": "%d/%m/%Y",
    "D": "%d %B %Y",
    "f": "%d %B %Y %H:%M",
    "F": "%A %d %B %Y %H:%M",
}


class Markup:
    """Turns Discord's ``<t:…:F>``, ``<#channel>`` and ``<@user>`` tags into what a client shows."""

    def __init__(self, sandbox: Sandbox | None = None, *, now: dt.datetime | None = None) -> None:
        self._sandbox = sandbox
        self._now = now

    def __call__(self, text: str) -> str:
        """``text`` with its tags replaced by what a client shows."""
        return _MARKUP.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        stamp, style, channel, mention = match.groups()
        if stamp is not None:
            return self._time(int(stamp), style or "f")
        state = self._sandbox.state if self._sandbox is not None else None
        if channel is not None:
            found = state.channels.get(int(channel)) if state else None
            return f"#{found.name}" if found else "#unknown-channel"
        if match.group(0).startswith("<@&"):
            for guild in state.guilds.values() if state else ():
                if (role := guild.roles.get(int(mention))) is not None:
                    return f"@{role.name}"
            return "@unknown-role"
        user = state.users.get(int(mention)) if state else None
        return f"@{user.global_name or user.username}" if user else "@unknown-user"

    def _time(self, stamp: int, style: str) -> str:
        try:
            when = dt.datetime.fromtimestamp(stamp, dt.UTC).astimezone()
        except (OverflowError, OSError, ValueError):
            return f"<t:{stamp}>"
        if style != "R":
            return when.strftime(_TIME_FORMATS[style])
        now = self._now or dt.datetime.now(dt.UTC)
        seconds = (when - now).total_seconds()
        amount, unit = abs(seconds), "second"
        for size, name in ((86400, "day"), (3600, "hour"), (60, "minute")):
            if amount >= size:
                amount, unit = amount / size, name
                break
        count = round(amount)
        phrase = f"{count} {unit}{'s' if count != 1 else ''}"
        return f"in {phrase}" if seconds >= 0 else f"{phrase} ago"


def render_message(
    message: Message, first_number: int = 1, markup: Markup | None = None
) -> tuple[list[str], list[Control]]:
    """Readable lines for a message, with its buttons and select menus numbered."""
    readable = markup or Markup()
    lines = ["(only you can see this)"] if message.ephemeral else []
    lines += readable(message.content).splitlines()
    for embed in message.embeds:
        lines += readable("\n".join(_render_embed(embed))).splitlines()
    for attachment in message.attachments:
        lines.append(
            f"[file] {attachment.filename} ({attachment.content_type}, {_size(attachment.size)})"
        )
    controls: list[Control] = []
    for component in walk_components(message.components):
        if component.get("type") == 10 and component.get("content"):  # components v2 text display
            lines += readable(component["content"]).splitlines()
    for control in _controls(message):
        number = first_number + len(controls)
        controls.append(control)
        lines.append(_render_control(number, control))
    return lines, controls


def _controls(message: Message) -> Iterator[Control]:
    buttons, selects = iter(message.buttons), iter(message.selects)
    for component in walk_components(message.components):
        if component.get("type") == 2:
            yield next(buttons)
        elif component.get("type") in SELECT_TYPES:
            yield next(selects)


def _render_embed(embed: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if author := (embed.get("author") or {}).get("name"):
        lines.append(author)
    if title := embed.get("title"):
        lines.append(f"== {title} ==")
    if description := embed.get("description"):
        lines += description.splitlines()
    for field_ in embed.get("fields") or []:
        # A blank name (a zero-width space: Discord requires one) continues the field before.
        # A field of several lines gets its name as a heading, as Discord shows it.
        name, value = field_["name"].strip(BLANK), field_["value"]
        if not name:
            lines += value.splitlines()
        elif "\n" in value:
            lines += [f"{name}:", *value.splitlines()]
        else:
            lines.append(f"{name}: {value}")
    for key in ("image", "thumbnail"):
        if url := (embed.get(key) or {}).get("url"):
            lines.append(f"[{key}] {url.removeprefix('attachment://')}")
    if footer := (embed.get("footer") or {}).get("text"):
        lines.append(f"-- {footer}")
    return lines


def _render_control(number: int, control: Control) -> str:
    if isinstance(control, Button):
        label = control.label or control.emoji or control.custom_id or "button"
        if control.url:
            return f"  [{number}] {label} -> {control.url}"
        return f"  [{number}] {label}" + (" (disabled)" if control.disabled else "")
    options = " | ".join(o["value"] for o in control.options) or "(pick users, roles or channels)"
    title = control.placeholder or control.custom_id
    return f"  [{number}] {title}: {options}" + (" (disabled)" if control.disabled else "")


def _size(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"


class Console:
    """Reads lines, runs them against the sandbox as ``user`` in ``channel``, prints replies."""

    def __init__(
        self, sandbox: Sandbox, guild: Guild, channel: Channel, user: User, out: TextIO
    ) -> None:
        self.sandbox = sandbox
        self.guild = guild
        self.channel = channel
        self.user = user
        self.out = out
        self._last: Message | None = None
        self._controls: list[Control] = []
        seen = [*sandbox.channel_messages(channel, visible_to=user), *sandbox.dm_messages(user)]
        self._shown: set[int] = {m.id for m in seen}

    async def run(self, lines: AsyncIterator[str]) -> None:
        """Handle lines until ``quit`` or the end of input."""
        async for raw in lines:
            line = raw.strip()
            if not line:
                continue
            if line.lower() in ("quit", "exit"):
                break
            await self.handle(line, lines)

    async def handle(self, line: str, lines: AsyncIterator[str]) -> None:
        """One typed line: a command, a button number, or a select pick."""
        try:
            if line[0].isdigit():
                result = await self._press(line)
            elif line.startswith("/"):
                result = await self._command(line)
            elif line.lower() == "help":
                self._write(BANNER)
                return
            else:
                self._write("Commands start with '/'; type help for examples.")
                return
            if isinstance(result, Modal):
                result = await self._fill_modal(result, lines)
        except SandboxError as error:
            self._write(f"! {error}")
            return
        if isinstance(result, Message):
            self._show(result)
        self._show_new_messages()

    # -- commands ------------------------------------------------------------------------------

    async def _command(self, line: str) -> Any:
        parsed = parse_command_line(line)
        words = parsed.path.split()
        if not words:
            raise SandboxError("type a command after '/', e.g. /help")
        top = self.sandbox.commands.find(words[0], self.guild.id)
        if top is None:
            raise SandboxError(self._unknown(parsed.path))
        subpath: list[str] = []
        options = top.get("options") or []
        rest = words[1:]
        while rest:
            sub = next(
                (
                    o
                    for o in options
                    if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) and o["name"] == rest[0]
                ),
                None,
            )
            if sub is None:
                break
            subpath.append(rest.pop(0))
            options = sub.get("options") or []
        if rest and any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options):
            raise SandboxError(self._unknown(parsed.path))
        if not any(o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP) for o in options):
            # Now that the command is known, only its own option names start an option.
            names = [o["name"] for o in options]
            parsed = parse_command_line(line, names)
            rest = parsed.path.split()[1 + len(subpath) :]
        values: dict[str, Any] = dict(parsed.options)
        if rest:
            leaf = leaf_options(top, subpath)
            free = [o for o in leaf if o["name"] not in values]
            target = next((o for o in free if o.get("required")), free[0] if free else None)
            if target is None:
                raise SandboxError(self._unknown(parsed.path))
            values[target["name"]] = " ".join(rest)
        return await self.sandbox.run_command(
            " ".join([words[0], *subpath]),
            user=self.user,
            guild=self.guild,
            channel=self.channel,
            options=values,
        )

    def _unknown(self, path: str) -> str:
        known = sorted(self._command_paths())
        close = difflib.get_close_matches(path, known, n=3, cutoff=0.5)
        if close:
            return (
                f"Unknown command /{path}. Did you mean: " + ", ".join(f"/{c}" for c in close) + "?"
            )
        return f"Unknown command /{path}. Available: " + ", ".join(f"/{c}" for c in known)

    def _command_paths(self) -> Iterator[str]:
        def walk(prefix: str, options: list[dict[str, Any]]) -> Iterator[str]:
            subs = [o for o in options if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
            if not subs:
                yield prefix
            for sub in subs:
                yield from walk(f"{prefix} {sub['name']}", sub.get("options") or [])

        for command in self.sandbox.commands.visible(self.guild.id):
            yield from walk(command["name"], command.get("options") or [])

    # -- components ----------------------------------------------------------------------------

    async def _press(self, line: str) -> Any:
        number_text, _, rest = line.partition(" ")
        number = int(number_text) if number_text.isdigit() else 0
        if self._last is None or not 1 <= number <= len(self._controls):
            raise SandboxError(f"no control [{number_text}] on the last reply")
        control = self._controls[number - 1]
        if isinstance(control, Button):
            return await self.sandbox.click(
                self._last, control.custom_id or control.label or "", user=self.user
            )
        values = [v.strip() for v in rest.split(",") if v.strip()]
        if not values:
            offered = ", ".join(o["value"] for o in control.options)
            raise SandboxError(f"pick with `{number} <value>` ({offered})")
        return await self.sandbox.select(self._last, control.custom_id, values, user=self.user)

    async def _fill_modal(self, modal: Modal, lines: AsyncIterator[str]) -> Any:
        self._write(f"== {modal.title} == (answer each field; blank skips an optional one)")
        values: dict[str, str] = {}
        for field_ in modal.fields:
            hint = "" if field_.required else " (optional)"
            self._write(f"{field_.label or field_.custom_id}{hint}:")
            try:
                answer = (await anext(lines)).strip()
            except StopAsyncIteration:
                raise SandboxError(f"input ended before {modal.title!r} was submitted") from None
            if answer:
                values[field_.custom_id] = answer
        return await self.sandbox.submit_modal(modal, values, user=self.user)

    # -- output --------------------------------------------------------------------------------

    def _show(self, message: Message) -> None:
        lines, controls = render_message(message, markup=Markup(self.sandbox))
        self._shown.add(message.id)
        if controls:
            self._last, self._controls = message, controls
        self._write("\n".join(lines) if lines else "(empty message)")

    def _show_new_messages(self) -> None:
        channel = self.sandbox.channel_messages(self.channel, visible_to=self.user)
        for message in [*channel, *self.sandbox.dm_messages(self.user)]:
            if message.id not in self._shown and not message.loading:
                where = "DM" if message.guild_id is None else f"#{self.channel.name}"
                self._write(f"[{where}]")
                self._show(message)

    def _write(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def stdin_lines(prompt: str = "> ") -> AsyncIterator[str]:
    """Lines from standard input, prompting when it is a terminal; ends at EOF.

    Lines are read by a daemon thread, not the loop's executor: Ctrl-C cancels the
    console at once, and the interpreter does not wait for a pending ``input()``
    (the executor's shutdown would, until Enter).
    """
    interactive = sys.stdin.isatty()
    loop = asyncio.get_running_loop()
    wanted = threading.Semaphore(0)  # one release per line asked for: the prompt shows then
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def reader() -> None:
        while True:
            wanted.acquire()
            line = _read_line(prompt if interactive else None)
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            except RuntimeError:  # the loop is closed: the console has ended
                return
            if line is None:
                return

    threading.Thread(target=reader, name="console-stdin", daemon=True).start()
    while True:
        wanted.release()
        line = await lines.get()
        if line is None:
            return
        yield line


def _read_line(prompt: str | None) -> str | None:
    if prompt is None:
        return sys.stdin.readline() or None
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        return None
