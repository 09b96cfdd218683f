"""``/leaderboard``: this server's boards, paginated, with the caller's own rank."""

from __future__ import annotations

import asyncio
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import MentorBot
from bot.services.leaderboards import BoardPage
from bot.ui import checks
from bot.ui.choices import BOARD_CHOICES, PERIOD_CHOICES
from bot.ui.embeds import boards as render
from bot.ui.views import OwnedView

log = logging.getLogger(__name__)

MEMBER_CHECK_TTL = 3600.0
STREAK_SWEEP_SECONDS = 3600


class MemberCheck:
    """Finds members on a page who left the server (no privileged intent: asks Discord, cached)."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        self._seen: dict[tuple[int, int], float] = {}

    async def departed(self, guild: discord.Guild, user_ids: list[int]) -> list[int]:
        """Which of ``user_ids`` Discord says are no longer in ``guild``."""
        now = time.monotonic()
        unknown = [
            uid
            for uid in user_ids
            if guild.get_member(uid) is None
            and now - self._seen.get((guild.id, uid), -MEMBER_CHECK_TTL) >= MEMBER_CHECK_TTL
        ]

        async def gone(uid: int) -> bool:
            try:
                await guild.fetch_member(uid)
            except discord.NotFound:
                return True
            except discord.HTTPException:
                return False
            self._seen[(guild.id, uid)] = now
            return False

        results = await asyncio.gather(*(gone(uid) for uid in unknown))
        return [uid for uid, left in zip(unknown, results, strict=True) if left]


class BoardPager(OwnedView):
    """Previous/next through a board."""

    def __init__(
        self,
        cog: Leaderboard,
        owner_id: int,
        guild: discord.Guild,
        page: BoardPage,
        season: int | None,
    ) -> None:
        super().__init__(owner_id)
        self.cog, self.guild, self.current, self.season = cog, guild, page, season
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.current.page == 0
        self.next.disabled = not self.current.has_next

    async def _go(self, interaction: discord.Interaction[MentorBot], page: int) -> None:
        self.current = await self.cog.load(
            self.guild, self.owner_id, self.current.board, self.current.period, page, self.season
        )
        self._sync()
        await interaction.response.edit_message(
            embed=render.leaderboard(self.current, self.guild.name), view=self
        )

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[BoardPager]
    ) -> None:
        """Show the page before."""
        await self._go(interaction, self.current.page - 1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(
        self, interaction: discord.Interaction[MentorBot], _: discord.ui.Button[BoardPager]
    ) -> None:
        """Show the page after."""
        await self._go(interaction, self.current.page + 1)


class Leaderboard(commands.Cog):
    """Leaderboards for this server."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        self.members = MemberCheck(bot)

    async def cog_load(self) -> None:
        """Schedule the hourly sweep of broken streaks, and one at start-up."""
        sweep = self.bot.services.boards.sweep_broken_streaks
        self.bot.scheduler.every("streak-sweep", sweep, seconds=STREAK_SWEEP_SECONDS)
        self.bot.on_startup(sweep)

    async def load(
        self,
        guild: discord.Guild,
        caller_id: int,
        board: str,
        period: str,
        page: int,
        season: int | None,
    ) -> BoardPage:
        """A page whose rows are all still members (those found gone are hidden, then re-read)."""
        boards = self.bot.services.boards
        for _ in range(3):
            result = await boards.page(
                guild.id, board=board, period=period, page=page, caller_id=caller_id, season=season
            )
            departed = await self.members.departed(guild, [r.user_id for r in result.rows])
            if not departed:
                return result
            await boards.mark_left(guild.id, departed)
        return result

    async def season_choices(
        self, interaction: discord.Interaction[MentorBot], current: str
    ) -> list[app_commands.Choice[int]]:
        """This server's seasons matching what is typed, newest first."""
        if interaction.guild_id is None:
            return []
        seasons = await self.bot.services.boards.seasons(interaction.guild_id)
        return [
            app_commands.Choice(name=f"{s.number}. {s.name}"[:100], value=s.number)
            for s in reversed(seasons)
            if current.casefold() in f"{s.number} {s.name}".casefold()
        ][:25]

    @app_commands.command(
        name="leaderboard", description="This server's leaderboard, with your own rank."
    )
    @app_commands.describe(
        board="What to rank by", period="Which period", season="A past season (with period: season)"
    )
    @app_commands.choices(board=BOARD_CHOICES, period=PERIOD_CHOICES)
    @app_commands.autocomplete(season=season_choices)
    @app_commands.guild_only()
    async def leaderboard(
        self,
        interaction: discord.Interaction[MentorBot],
        board: str = "points",
        period: str = "week",
        season: app_commands.Range[int, 1, 10_000] | None = None,
    ) -> None:
        """The first page of a board, with the caller's rank and page buttons."""
        guild = checks.guild(interaction)
        if season is not None:
            period = "season"
        page = await self.load(guild, interaction.user.id, board, period, 0, season)
        view = BoardPager(self, interaction.user.id, guild, page, season)
        await interaction.response.send_message(
            embed=render.leaderboard(page, guild.name), view=view
        )


async def setup(bot: MentorBot) -> None:
    """Add the leaderboard cog to the bot (the extension's entry point)."""
    await bot.add_cog(Leaderboard(bot))
