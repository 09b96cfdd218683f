"""Start-up and shut-down: prepare the database and content, build the bot, run it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot import metrics
from bot.app import MentorBot
from bot.clock import Clock, SystemClock
from bot.config import Settings, SettingsError
from bot.content.catalogue import load_content
from bot.content.loader import ContentError
from bot.db import migrate
from bot.db.engine import Database
from bot.endpoints import point_discord_at
from bot.scheduling import Scheduler
from bot.services.container import Services
from bot.services.places import warm_up

log = logging.getLogger(__name__)


async def open_database(settings: Settings) -> Database:
    """Connect, fail with one clear sentence if unreachable, and upgrade to the newest schema."""
    db = Database.for_settings(settings)
    try:
        await db.ping()
    except Exception as exc:
        await db.close()
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SettingsError(f"Cannot open the database in DATABASE_URL ({reason}).") from None
    await migrate.upgrade(db)
    return db


def use_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_BASE / DISCORD_GATEWAY_URL when they are set."""
    point_discord_at(settings.discord_api_base, gateway_url=settings.discord_gateway_url)


async def build_bot(settings: Settings, *, clock: Clock | None = None) -> MentorBot:
    """Everything the bot needs, ready to ``start``: database upgraded, content loaded."""
    warm_up()  # the timezone place index, built while the content and the database load
    try:
        content = load_content()
    except ContentError as exc:
        raise SettingsError(
            f"The content in data/ has {len(exc.problems)} problem(s); "
            "run `python -m bot content check` to list them."
        ) from None
    db = await open_database(settings)
    services = Services(db=db, clock=clock or SystemClock(), content=content)
    use_endpoints(settings)
    return MentorBot(settings, services, Scheduler())


async def run_until_stopped(bot: MentorBot, token: str) -> None:
    """Run the bot until SIGINT/SIGTERM, then shut down cleanly."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    if bot.settings.metrics_port is not None:
        metrics.serve(bot.settings.metrics_port)
        log.info("Metrics on port %d at /metrics", bot.settings.metrics_port)
    runner = asyncio.create_task(bot.start(token))
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()
        else:
            log.info("Shutting down")
    finally:
        stopper.cancel()
        if not bot.is_closed():
            await bot.close()
        if not runner.done():
            await asyncio.wait({runner})
