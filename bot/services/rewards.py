"""Role rewards: moderators map a milestone to a role; this decides who should hold which.

The service never talks to Discord. It answers "which roles should the bot grant or take
back" (:meth:`RewardService.changes`) from the database, and records what Discord
confirmed (:meth:`RewardService.confirm`). A grant row exists only after Discord gave the
role, so a crash between the two is repaired by the next sweep, and granting twice is
harmless (adding a role a member holds is a no-op on Discord too).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, exists, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.schema import Category
from bot.db.engine import Database
from bot.db.in_list import in_list
from bot.db.models import (
    AchievementUnlock,
    BoardTotal,
    LearnedSkill,
    Member,
    ModAudit,
    RoleGrant,
    RoleReward,
    Season,
    User,
)
from bot.db.upsert import insert_ignore
from bot.services.errors import UserError
from bot.services.users import ensure_guild

KINDS = ("streak", "season_points", "category", "achievement")
MAX_REWARDS = 25
LIMITS = {"streak": 3650, "season_points": 1_000_000, "category": 100}
PROBLEM_LIMIT = 200


@dataclass(frozen=True)
class Reward:
    """One configured role reward."""

    id: int
    guild_id: int
    role_id: int
    kind: str
    threshold: int
    target: str | None
    remove_on_lapse: bool
    problem: str | None

    @classmethod
    def from_row(cls, row: RoleReward) -> Reward:
        """The reward of a stored row."""
        return cls(
            row.id,
            row.guild_id,
            row.role_id,
            row.kind,
            row.threshold,
            row.target,
            row.remove_on_lapse,
            row.problem,
        )


@dataclass(frozen=True)
class RoleChange:
    """A role the bot should give (``grant``) or take back from one member."""

    reward_id: int
    guild_id: int
    user_id: int
    role_id: int
    grant: bool


def describe(reward: Reward, content: Content) -> str:
    """The milestone in words, e.g. ``a 7-day streak``."""
    if reward.kind == "streak":
        return f"a {reward.threshold}-day streak"
    if reward.kind == "season_points":
        return f"{reward.threshold} points this season"
    if reward.kind == "category":
        label = Category(reward.target).label if reward.target else "?"
        return f"{reward.threshold} {label} skill{'s' if reward.threshold != 1 else ''} learned"
    achievement = content.achievements.get(reward.target or "")
    name = f"{achievement.emoji} {achievement.name}" if achievement else reward.target
    return f"the achievement {name}"


_reward = RoleReward.__table__.c
_member = Member.__table__.c
# Whether any of the members' servers has a reward. Built once (Core columns, a list parameter),
# driven by role_rewards (empty in most servers), each server probed by its members' keys.
_any_reward_for = (
    select(literal(1))
    .where(
        exists().where(
            _member.guild_id == _reward.guild_id,
            in_list(_member.user_id, "users"),
        )
    )
    .select_from(RoleReward.__table__)
    .limit(1)
)


class RewardService:
    """Role reward rules per server, who qualifies, and the grants Discord confirmed."""

    def __init__(self, db: Database, clock: Clock, content: Content) -> None:
        self._db = db
        self._clock = clock
        self._content = content

    # -- rules ---------------------------------------------------------------------------

    def validate(
        self, kind: str, threshold: int | None, target: str | None
    ) -> tuple[int, str | None]:
        """The (threshold, target) to store, or a UserError saying what is wrong."""
        if kind not in KINDS:
            raise UserError(f"Unknown milestone {kind!r}.")
        if kind == "achievement":
            slug = (target or "").strip()
            if slug not in self._content.achievements:
                raise UserError("Pick an achievement from the list (start typing its name).")
            return 1, slug
        if threshold is None:
            what = {"streak": "days", "season_points": "points", "category": "skills"}[kind]
            raise UserError(f"Say how many {what}: set `threshold`.")
        if not 1 <= threshold <= LIMITS[kind]:
            raise UserError(f"`threshold` must be between 1 and {LIMITS[kind]} for this milestone.")
        if kind != "category":
            return threshold, None
        try:
            category = Category((target or "").strip())
        except ValueError:
            raise UserError("Pick a skill category from the list for `target`.") from None
        size = sum(1 for s in self._content.skills.values() if s.category == category)
        if threshold > size:
            raise UserError(
                f"{category.label} has only {size} skills; pick a threshold up to {size}."
            )
        return threshold, category.value

    async def add(
        self,
        guild_id: int,
        *,
        role_id: int,
        kind: str,
        threshold: int | None,
        target: str | None,
        remove_on_lapse: bool,
        moderator_id: int,
    ) -> Reward:
        """Store a rule (one per role); the caller has checked the bot can manage the role."""
        value, stored_target = self.validate(kind, threshold, target)
        now = self._clock.now()
        try:
            async with self._db.transaction() as session:
                await ensure_guild(session, guild_id, now)
                count = await session.scalar(
                    select(func.count()).where(RoleReward.guild_id == guild_id)
                )
                if (count or 0) >= MAX_REWARDS:
                    raise UserError(f"A server can have at most {MAX_REWARDS} role rewards.")
                row = RoleReward(
                    guild_id=guild_id,
                    role_id=role_id,
                    kind=kind,
                    threshold=value,
                    target=stored_target,
                    remove_on_lapse=remove_on_lapse,
                    created_by=moderator_id,
                    created_at=now,
                )
                session.add(row)
                await session.flush()
                reward = Reward.from_row(row)
                session.add(
                    ModAudit(
                        guild_id=guild_id,
                        moderator_id=moderator_id,
                        action="role-reward-add",
                        target_label=f"<@&{role_id}>",
                        detail=f"for {describe(reward, self._content)}"[:300],
                        created_at=now,
                    )
                )
        except IntegrityError:
            raise UserError(
                "That role already has a reward; remove it first with `/mod roles remove`."
            ) from None
        return reward

    async def remove(self, guild_id: int, role_id: int, *, moderator_id: int) -> Reward | None:
        """Delete the rule for a role (members keep the roles already given); None if none."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await session.scalar(
                select(RoleReward).where(
                    RoleReward.guild_id == guild_id, RoleReward.role_id == role_id
                )
            )
            if row is None:
                return None
            reward = Reward.from_row(row)
            await session.delete(row)
            session.add(
                ModAudit(
                    guild_id=guild_id,
                    moderator_id=moderator_id,
                    action="role-reward-remove",
                    target_label=f"<@&{role_id}>",
                    detail=f"for {describe(reward, self._content)}"[:300],
                    created_at=now,
                )
            )
        return reward

    async def rewards(self, guild_id: int) -> list[tuple[Reward, int]]:
        """The server's rules with how many members hold each role from the bot."""
        async with self._db.read() as session:
            held = (
                select(RoleGrant.reward_id, func.count().label("n"))
                .group_by(RoleGrant.reward_id)
                .subquery()
            )
            rows = await session.execute(
                select(RoleReward, func.coalesce(held.c.n, 0))
                .outerjoin(held, held.c.reward_id == RoleReward.id)
                .where(RoleReward.guild_id == guild_id)
                .order_by(RoleReward.kind, RoleReward.threshold, RoleReward.id)
            )
            return [(Reward.from_row(r), int(n)) for r, n in rows]

    async def guilds_with_rewards(self) -> list[int]:
        """The guilds that have at least one role reward."""
        async with self._db.read() as session:
            return list(await session.scalars(select(RoleReward.guild_id).distinct()))

    # -- who should hold what ------------------------------------------------------------

    def _eligible(
        self, reward: RoleReward, cutoff: datetime, season_id: int | None
    ) -> Select[tuple[int]]:
        """The user ids (active members of the reward's server) who meet its milestone."""
        members = select(Member.user_id).where(
            Member.guild_id == reward.guild_id, Member.left_at.is_(None)
        )
        if reward.kind == "streak":
            return select(User.id).where(
                User.id.in_(members),
                User.streak_current >= reward.threshold,
                User.streak_alive_until >= cutoff.date(),
            )
        if reward.kind == "season_points":
            return select(BoardTotal.user_id).where(
                BoardTotal.guild_id == reward.guild_id,
                BoardTotal.board == "points",
                BoardTotal.period == "season",
                BoardTotal.period_key == str(season_id),
                BoardTotal.active.is_(True),
                BoardTotal.value >= reward.threshold,
            )
        if reward.kind == "category":
            slugs = [
                s.slug for s in self._content.skills.values() if s.category.value == reward.target
            ]
            return (
                select(LearnedSkill.user_id)
                .where(LearnedSkill.user_id.in_(members), LearnedSkill.skill.in_(slugs))
                .group_by(LearnedSkill.user_id)
                .having(func.count() >= reward.threshold)
            )
        return select(AchievementUnlock.user_id).where(
            AchievementUnlock.user_id.in_(members),
            AchievementUnlock.achievement_id == reward.target,
        )

    async def _changes(
        self,
        session: AsyncSession,
        rewards: Iterable[RoleReward],
        user_ids: Collection[int] | None,
    ) -> list[RoleChange]:
        """The changes ``rewards`` call for, for ``user_ids`` only (None: everyone)."""
        # A day of slack covers every timezone: a streak is alive until its owner's local
        # day after ``streak_alive_until`` has surely ended.
        cutoff = self._clock.now() - timedelta(days=1)
        seasons: dict[int, int | None] = {}
        out: list[RoleChange] = []
        for reward in rewards:
            if reward.guild_id not in seasons:
                seasons[reward.guild_id] = await session.scalar(
                    select(Season.id).where(
                        Season.guild_id == reward.guild_id, Season.ended_at.is_(None)
                    )
                )
            eligible_q = self._eligible(reward, cutoff, seasons[reward.guild_id])
            granted_q = select(RoleGrant.user_id).where(RoleGrant.reward_id == reward.id)
            if user_ids is not None:
                eligible_q = eligible_q.where(eligible_q.selected_columns[0].in_(user_ids))
                granted_q = granted_q.where(RoleGrant.user_id.in_(user_ids))
            eligible = set(await session.scalars(eligible_q))
            granted = set(await session.scalars(granted_q))

            def change(uid: int, grant: bool, reward: RoleReward = reward) -> RoleChange:
                return RoleChange(reward.id, reward.guild_id, uid, reward.role_id, grant)

            out += [change(uid, True) for uid in sorted(eligible - granted)]
            if reward.remove_on_lapse:
                out += [change(uid, False) for uid in sorted(granted - eligible)]
        return out

    async def changes_for_guild(self, guild_id: int) -> list[RoleChange]:
        """Every grant and removal due in one server (the sweep)."""
        async with self._db.read() as session:
            rewards = await session.scalars(
                select(RoleReward).where(RoleReward.guild_id == guild_id)
            )
            return await self._changes(session, list(rewards), None)

    async def changes_for_members(self, user_ids: Collection[int]) -> list[RoleChange]:
        """Grants and removals due for these members, in every server they are in.

        One prebuilt read, outside a transaction on PostgreSQL, when none of their servers
        has a reward: the common case, checked after every batch of answers.
        """
        if not user_ids:
            return []
        async with self._db.lookup() as session:
            if await session.scalar(_any_reward_for, {"users": list(user_ids)}) is None:
                return []
        async with self._db.read() as session:
            rewards = list(
                await session.scalars(
                    select(RoleReward)
                    .where(
                        # Driven by role_rewards (empty in most servers), each reward's
                        # server probed by its (guild_id, user_id) key: not a scan of members.
                        select(Member.user_id)
                        .where(Member.guild_id == RoleReward.guild_id, Member.user_id.in_(user_ids))
                        .exists()
                    )
                    .order_by(RoleReward.id)
                )
            )
            if not rewards:
                return []
            return await self._changes(session, rewards, user_ids)

    async def granted_to(self, user_id: int) -> list[RoleChange]:
        """Every role the bot gave the member, as removals (for /mydata delete)."""
        async with self._db.read() as session:
            rows = await session.execute(
                select(RoleReward.id, RoleReward.guild_id, RoleReward.role_id)
                .join(RoleGrant, RoleGrant.reward_id == RoleReward.id)
                .where(RoleGrant.user_id == user_id)
            )
            return [RoleChange(rid, gid, user_id, role, False) for rid, gid, role in rows]

    # -- what Discord said ---------------------------------------------------------------

    async def confirm(self, change: RoleChange) -> None:
        """Discord applied ``change``: record the grant (or its end) and clear any problem."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            if change.grant:
                exists = await session.scalar(select(User.id).where(User.id == change.user_id))
                if exists is None:  # deleted their data meanwhile: nothing to record
                    return
                await insert_ignore(
                    session,
                    RoleGrant,
                    reward_id=change.reward_id,
                    user_id=change.user_id,
                    granted_at=now,
                )
            else:
                await session.execute(
                    delete(RoleGrant).where(
                        RoleGrant.reward_id == change.reward_id,
                        RoleGrant.user_id == change.user_id,
                    )
                )
            await session.execute(
                update(RoleReward)
                .where(RoleReward.id == change.reward_id, RoleReward.problem.is_not(None))
                .values(problem=None, problem_at=None)
            )

    async def report_problem(self, reward_id: int, problem: str) -> None:
        """Remember why a role could not be given or taken back, for ``/mod roles list``.

        A problem not seen before is also shown once after a moderator's next ``/mod``
        command (:meth:`take_notices`).
        """
        text = problem[:PROBLEM_LIMIT]
        async with self._db.transaction() as session:
            await session.execute(
                update(RoleReward)
                .where(
                    RoleReward.id == reward_id,
                    (RoleReward.problem.is_(None)) | (RoleReward.problem != text),
                )
                .values(problem=text, problem_at=self._clock.now(), problem_notified=False)
            )

    async def take_notices(self, guild_id: int) -> list[tuple[int, str]]:
        """(role id, problem) for problems no moderator was shown yet; marks them shown."""
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(RoleReward.id, RoleReward.role_id, RoleReward.problem).where(
                        RoleReward.guild_id == guild_id,
                        RoleReward.problem.is_not(None),
                        RoleReward.problem_notified.is_(False),
                    )
                )
            ).all()
            if rows:
                await session.execute(
                    update(RoleReward)
                    .where(RoleReward.id.in_([r.id for r in rows]))
                    .values(problem_notified=True)
                )
        return [(r.role_id, r.problem) for r in rows]
