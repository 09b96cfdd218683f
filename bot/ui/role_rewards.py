"""Giving and taking back reward roles on Discord, for the changes the reward service computes.

The bot has no members intent, so it never reads a member's roles: it adds or removes
one role through ``PUT``/``DELETE /guilds/{g}/members/{u}/roles/{r}``, which Discord
treats as idempotent, and records the outcome. What it cannot do (no Manage Roles, a
role above its own, a deleted role) is stored on the rule for ``/mod roles list``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.services.achievements import Unlocked
from bot.services.rewards import RoleChange

if TYPE_CHECKING:
    from bot.app import MentorBot

log = logging.getLogger(__name__)

REASON = "Backend Mentor role reward"
UNKNOWN_MEMBER = 10007
UNKNOWN_ROLE = 10011
ROLE_GONE = "The role no longer exists; remove this reward or pick another role."


def role_problem(guild: discord.Guild, role: discord.Role | None) -> str | None:
    """Why the bot cannot give ``role`` in ``guild`` (from its cache), or None if it can."""
    # discord.py types Guild.me as always cached; it is None until the guild's data arrives.
    me: discord.Member | None = guild.me
    if role is None:
        return ROLE_GONE
    if role.is_default():
        return "@everyone cannot be a reward: every member already has it."
    if role.managed:
        return f"{role.name} is managed by an integration (a bot, a booster or a subscription role), so no one can assign it."
    if me is None:
        return None
    if not me.guild_permissions.manage_roles:
        return "I need the **Manage Roles** permission: Server Settings → Roles → my role → Permissions."
    if role >= me.top_role:
        return (
            f"{role.name} is above my highest role ({me.top_role.name}), so Discord will not let me assign it. "
            f"In Server Settings → Roles, drag {me.top_role.name} above {role.name}."
        )
    return None


class RoleRewardSync:
    """Applies role changes for the guilds this process owns; owned by the bot."""

    def __init__(self, bot: MentorBot) -> None:
        self.bot = bot
        self._tasks: set[asyncio.Task[int]] = set()

    # -- entry points --------------------------------------------------------------------

    def on_unlocked(self, changes: Sequence[Unlocked]) -> None:
        """After members' activity committed: check their rewards soon, off the reply path."""
        self.members_soon({change.user_id for change in changes})

    def members_soon(self, user_ids: Collection[int]) -> None:
        """After a change to these members' figures (points given by hand): check them soon."""
        self._soon(self.members(sorted(user_ids)))

    def guild_soon(self, guild_id: int) -> None:
        """After a reward was added: give it to the members who already qualify."""
        self._soon(self.guild(guild_id))

    def _soon(self, work: Coroutine[Any, Any, int]) -> None:
        if self.bot.closing:
            work.close()
            return
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def guild(self, guild_id: int) -> int:
        """Every grant and removal due in one server."""
        try:
            return await self.apply(await self.bot.services.rewards.changes_for_guild(guild_id))
        except Exception:
            log.exception("role reward check failed for server %s", guild_id)
            return 0

    async def idle(self) -> None:
        """Wait for the checks already started (and any they started)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def finish(self, grace: float) -> None:
        """At shutdown: let running checks finish, for ``grace`` seconds at most."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                await self.idle()

    async def members(self, user_ids: Collection[int]) -> int:
        """Grant or remove what these members' milestones call for; how many roles changed."""
        try:
            changes = await self.bot.services.rewards.changes_for_members(user_ids)
            return await self.apply(changes)
        except Exception:
            log.exception("role reward check failed for members %s", sorted(user_ids))
            return 0

    async def sweep(self) -> int:
        """The hourly pass: podium achievements, then every reward of every owned server.

        Repairs anything a crash or an outage left undone, and takes roles back from
        members whose streak lapsed (for rewards that say so).
        """
        services = self.bot.services
        owned = [g.id for g in self.bot.guilds]
        await services.achievements.sweep_weekly_ranks(owned)
        changed = 0
        for guild_id in await services.rewards.guilds_with_rewards():
            if self.bot.get_guild(guild_id) is not None:
                changed += await self.guild(guild_id)
        return changed

    async def remove_all(self, user_id: int) -> list[str]:
        """Take back every role the bot gave the member (before /mydata delete).

        Returns the names of servers where Discord refused, so the member can be told.
        """
        failed = []
        for change in await self.bot.services.rewards.granted_to(user_id):
            if not await self._apply_one(change):
                guild = self.bot.get_guild(change.guild_id)
                failed.append(guild.name if guild else str(change.guild_id))
        return failed

    # -- doing it ------------------------------------------------------------------------

    async def apply(self, changes: list[RoleChange]) -> int:
        """Give or take the roles of ``changes``; how many Discord accepted."""
        done = 0
        for change in changes:
            if await self._apply_one(change):
                done += 1
        return done

    async def _apply_one(self, change: RoleChange) -> bool:
        """Make one change on Discord and record it; False if it could not be made."""
        rewards = self.bot.services.rewards
        guild = self.bot.get_guild(change.guild_id)
        if guild is not None:
            problem = role_problem(guild, guild.get_role(change.role_id))
            if problem is not None:
                await rewards.report_problem(change.reward_id, problem)
                return False
        http = self.bot.http
        try:
            if change.grant:
                await http.add_role(change.guild_id, change.user_id, change.role_id, reason=REASON)
            else:
                await http.remove_role(
                    change.guild_id, change.user_id, change.role_id, reason=REASON
                )
        except discord.NotFound as error:
            if error.code == UNKNOWN_MEMBER:  # left the server: nothing to hold
                if not change.grant:
                    await rewards.confirm(change)
                return not change.grant
            if error.code == UNKNOWN_ROLE:
                await rewards.report_problem(change.reward_id, ROLE_GONE)
            return False
        except discord.Forbidden:
            await rewards.report_problem(
                change.reward_id,
                "Discord refused (Missing Permissions): I need Manage Roles, and my highest role must be above the reward role.",
            )
            return False
        except discord.HTTPException as error:  # 5xx after discord.py's own retries: next sweep
            log.warning("role change %s failed: %s", change, error)
            return False
        await rewards.confirm(change)
        return True
