"""Command line: ``python -m bot run | console | sync | health | db ... | mastery rebuild | content check|fairness|schema``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import aiohttp
import discord

from bot.config import SettingsError, load_settings
from bot.content.fairness import (
    fairness_report,
    format_failures,
    format_report,
    reports_by_file,
)
from bot.content.loader import RawContent, read_content
from bot.logs import configure_logging


def _question_files(raw: RawContent) -> dict[str, str]:
    return {key: path for (kind, key), path in raw.origin.items() if kind == "question"}


def _content_check() -> int:
    raw = read_content()
    for problem in raw.problems:
        print(problem)
    if raw.problems:
        print(f"{len(raw.problems)} problem(s) found.", file=sys.stderr)
        return 1
    skills = {s.slug: s for s in raw.skills}
    overall = fairness_report(raw.questions, skills)
    per_file = reports_by_file(raw.questions, skills, _question_files(raw))
    print("\n".join(format_report(overall, per_file)))
    failures = format_failures(overall, per_file)
    if failures:
        print("\n".join(failures))
        print(f"{len(overall.failed_checks())} fairness check(s) failed.", file=sys.stderr)
        return 1
    print(
        f"content ok: {len(raw.skills)} skills, {len(raw.questions)} questions, "
        f"{len(raw.challenges)} challenges, {len(raw.achievements)} achievements"
    )
    return 0


def _content_fairness(files: list[str]) -> int:
    """Fairness figures and offenders for some quiz files only (all when none are given).

    A file may be named by path (``data/quiz/apis.toml``), name (``apis.toml``) or stem
    (``apis``). Exits 1 if the chosen questions break a threshold, 2 if none match.
    """
    raw = read_content()
    for problem in raw.problems:
        print(problem)
    origin = _question_files(raw)
    wanted = {Path(f).stem for f in files}
    chosen = [q for q in raw.questions if not wanted or Path(origin.get(q.id, "")).stem in wanted]
    if not chosen:
        print(f"no questions in {', '.join(files)}", file=sys.stderr)
        return 2
    skills = {s.slug: s for s in raw.skills}
    report = fairness_report(chosen, skills)
    per_file = reports_by_file(chosen, skills, origin)
    print("\n".join(format_report(report, per_file)))
    failures = format_failures(report, per_file)
    if failures:
        print("\n".join(failures))
    return 1 if failures else 0


async def _run(force_sync: bool = False) -> None:
    from bot.runner import build_bot, run_until_stopped

    settings = load_settings()
    token = settings.token()
    configure_logging(settings.log_level, secrets=[token], json_lines=settings.log_format == "json")
    bot = await build_bot(settings)
    if force_sync:
        async with bot:
            await bot.login(token)
            await bot.sync_commands(force=True)
        print("Commands synced.")
        return
    await run_until_stopped(bot, token)


async def _console() -> None:
    # The only place the bot's code reaches the sandbox, and only when asked for it: the bot's
    # own import graph never includes it, and the runtime image leaves it out.
    try:
        from sandbox.console_app import run_console
    except ModuleNotFoundError as exc:
        if exc.name != "sandbox":
            raise
        raise SettingsError(
            "the sandbox console is not installed here (the Docker image leaves it out); "
            "set DISCORD_TOKEN to run the bot, or use a checkout with `make run`."
        ) from None

    settings = load_settings()
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    await run_console(settings)


async def _db(action: str, target: str | None) -> None:
    from bot.db import migrate
    from bot.db.backup import backup_sqlite
    from bot.db.engine import Database

    settings = load_settings()
    configure_logging(settings.log_level)
    if action == "backup":
        assert target is not None
        path = await backup_sqlite(settings.database_url, target)
        print(f"Backed up to {path}")
        return
    db = Database.for_settings(settings)
    try:
        if action == "upgrade":
            await migrate.upgrade(db, target or "head")
        elif action == "downgrade":
            assert target is not None
            await migrate.downgrade(db, target)
        print(f"Database at revision {await migrate.current_revision(db) or 'base'}")
    finally:
        await db.close()


async def _mastery(action: str) -> None:
    from bot.clock import SystemClock
    from bot.content.catalogue import load_content
    from bot.db import migrate
    from bot.db.engine import Database
    from bot.services.mastery import MasteryService

    settings = load_settings()
    configure_logging(settings.log_level)
    db = Database.for_settings(settings)
    try:
        await migrate.upgrade(db)
        assert action == "rebuild"
        summary = await MasteryService(db, SystemClock(), load_content()).rebuild()
        print(
            f"Mastery rebuilt from {summary.answers} answers: "
            f"{summary.skill_rows} member-skill estimates, {summary.question_rows} question difficulties."
        )
    finally:
        await db.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Backend Mentor")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("start", help="run if DISCORD_TOKEN is set, else the offline console")
    sub.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    sub.add_parser("console", help="offline sandbox: the real bot against a local Discord")
    sub.add_parser("sync", help="upload slash commands now, even if unchanged")
    sub.add_parser(
        "health", help="exit 0 if the running bot's heartbeat is fresh (container probe)"
    )
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="action", required=True)
    up = db_sub.add_parser("upgrade", help="migrate to the newest schema (or REV)")
    up.add_argument("revision", nargs="?")
    down = db_sub.add_parser("downgrade", help="migrate back to REV (base = empty)")
    down.add_argument("revision")
    backup = db_sub.add_parser("backup", help="consistent copy of a live SQLite database")
    backup.add_argument("path")
    db_sub.add_parser("current", help="show the current revision")
    mastery = sub.add_parser("mastery", help="the learner model")
    mastery.add_argument(
        "action",
        choices=["rebuild"],
        help="rebuild: recompute every mastery estimate and question difficulty from the answers",
    )
    content = sub.add_parser("content", help="content tools")
    content.add_argument(
        "action",
        choices=["check", "fairness", "schema"],
        help="check: validate everything; fairness: quiz fairness figures (optionally per FILE); "
        "schema: write the JSON Schemas of the content files to schema/",
    )
    content.add_argument("files", nargs="*", metavar="FILE", help="quiz files for `fairness`")
    return parser


def _has_token() -> bool:
    try:
        return load_settings().discord_token is not None
    except SettingsError:
        return True  # let `run` report the malformed setting


def _stop_on_sigterm() -> None:
    """From the first line on, SIGTERM stops the process the way Ctrl-C does.

    Once the bot runs, its event loop installs its own handler for a graceful shutdown;
    before that (migrations, loading content) a container stop is not ignored.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    """Run the command line (``python -m bot --help``); returns the exit status."""
    _stop_on_sigterm()
    args = _parser().parse_args(argv)
    if args.command == "content":
        if args.action == "fairness":
            return _content_fairness(args.files)
        if args.action == "schema":
            from bot.content.jsonschema import write

            for path in write():
                print(f"wrote {path}")
            return 0
        return _content_check()
    if args.command == "health":
        from bot.health import check

        ok, why = check(load_settings().health_file)
        print(why)
        return 0 if ok else 1
    if args.command == "start":
        args.command = "run" if _has_token() else "console"
    jobs: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {
        "run": lambda: _run(),
        "sync": lambda: _run(force_sync=True),
        "console": _console,
        "mastery": lambda: _mastery(args.action),
        "db": lambda: _db(
            args.action, getattr(args, "revision", None) or getattr(args, "path", None)
        ),
    }
    try:
        asyncio.run(jobs[args.command]())
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except discord.LoginFailure:
        print(
            "error: Discord rejected DISCORD_TOKEN; copy it again from the Developer Portal.",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "error: Discord refused the gateway intents; this bot needs no privileged intents, "
            "so check SHARD settings and the application.",
            file=sys.stderr,
        )
        return 2
    except (aiohttp.ClientError, OSError, TimeoutError, discord.DiscordServerError) as exc:
        print(f"error: cannot reach Discord: {_unreachable(exc)}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


def _unreachable(exc: BaseException) -> str:
    """One line on why Discord (or DISCORD_API_BASE) could not be reached, and what to check."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        where = f"{exc.host}:{exc.port}"
        return f"no connection to {where} ({exc.os_error.strerror or exc.os_error}); check the network or DISCORD_API_BASE"
    if isinstance(exc, discord.DiscordServerError):
        return f"Discord answered {exc.status}; try again in a few minutes"
    if isinstance(exc, TimeoutError):
        return "the connection timed out; check the network or DISCORD_API_BASE"
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{reason}; check the network or DISCORD_API_BASE"


if __name__ == "__main__":
    sys.exit(main())
