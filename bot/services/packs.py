"""Server question packs: storage, the guild-aware question resolver, the mix, submissions.

Pack questions are named ``pack:<guild_id>:<number>`` wherever a question id is stored
(daily posts, prompts, answers, review cards). Shipped ids are slugs without a colon,
so the two can never collide, and the number comes from a per-guild counter that only
grows, so an id never names a second question. Every lookup of a question id goes
through ``QuestionBank.get`` with the guild the lookup happens in: a pack question
resolves only in its own guild, so a pack cannot reach another server through a daily
post, a practice prompt, a review card or a crafted button.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.content.packfile import (
    MAX_PACK_QUESTIONS,
    MAX_SERVER_QUESTIONS,
    PackFile,
    PackFileError,
    check_count,
    question_problems,
)
from bot.content.schema import Category, Question
from bot.db.changes import changed_rows
from bot.db.engine import Database
from bot.db.models import Pack, PackQuestion, PackSettings, QuestionSubmission
from bot.db.upsert import insert_ignore
from bot.services.errors import UserError
from bot.services.quiz_bank import pick_daily, pick_practice
from bot.services.users import ensure_guild, ensure_user

PREFIX = "pack:"
DEFAULT_MIX = 50
"""Share (percent) of daily and practice questions drawn from the packs once a pack exists."""

MEMBERS_PACK = "members"
"""The pack that approved member submissions join."""

_CACHE_LIMIT = 4096


def pack_question_id(guild_id: int, number: int) -> str:
    """The stored id of a pack question."""
    return f"{PREFIX}{guild_id}:{number}"


def parse_pack_id(question_id: str) -> tuple[int, int] | None:
    """(guild id, number) of a pack question id; None for a shipped id or garbage."""
    if not question_id.startswith(PREFIX):
        return None
    guild, _, number = question_id.removeprefix(PREFIX).partition(":")
    if not (guild.isdigit() and number.isdigit()):
        return None
    return int(guild), int(number)


def is_pack_id(question_id: str) -> bool:
    """True for the id of a server-pack question (as opposed to a catalogue one)."""
    return question_id.startswith(PREFIX)


def _question(row: PackQuestion) -> Question:
    """A stored pack question as a ``Question`` whose id is its stored id."""
    validated = Question.model_validate(
        {
            "id": row.slug,
            "skill": row.skill,
            "difficulty": row.difficulty,
            "prompt": row.prompt,
            "choices": list(row.choices),
            "answer": row.answer,
            "explanation": row.explanation,
            "source": row.source,
            "interview": row.interview,
        }
    )
    return validated.model_copy(update={"id": pack_question_id(row.guild_id, row.number)})


class QuestionBank:
    """The one resolver of question ids: shipped questions everywhere, a pack only at home."""

    def __init__(self, content: Content, rng: random.Random | None = None) -> None:
        self.content = content
        self._rng = rng or random.Random()
        # Stored pack questions never change (numbers are never reused), so caching is safe.
        self._cache: dict[tuple[int, int], tuple[Question, bool]] = {}

    async def get(
        self,
        session: AsyncSession,
        guild_id: int | None,
        question_id: str,
        *,
        active_only: bool = False,
    ) -> Question | None:
        """The question ``question_id`` names, as seen from ``guild_id`` (None: a DM).

        A pack question of another guild, or any pack question in DMs, is None; so is a
        question of a deleted pack when ``active_only`` (it still resolves for the posts
        and answers that already name it).
        """
        if not is_pack_id(question_id):
            return self.content.questions.get(question_id)
        parsed = parse_pack_id(question_id)
        if parsed is None or guild_id is None or parsed[0] != guild_id:
            return None
        cached = self._cache.get(parsed)
        if cached is None:
            row = await session.scalar(
                select(PackQuestion).where(
                    PackQuestion.guild_id == parsed[0], PackQuestion.number == parsed[1]
                )
            )
            if row is None:
                return None
            cached = (_question(row), row.deleted)
            if not row.deleted:
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                self._cache[parsed] = cached
        question, deleted = cached
        return None if deleted and active_only else question

    def forget(self, guild_id: int) -> None:
        """Drop a guild's cached questions (after a pack is deleted)."""
        for key in [k for k in self._cache if k[0] == guild_id]:
            del self._cache[key]

    async def pack_pool(self, session: AsyncSession, guild_id: int | None) -> list[PoolEntry]:
        """Every active pack question of the guild, as (id, skill, difficulty): no full rows."""
        if guild_id is None:
            return []
        rows = await session.execute(
            select(PackQuestion.number, PackQuestion.skill, PackQuestion.difficulty)
            .where(PackQuestion.guild_id == guild_id, PackQuestion.deleted.is_(False))
            .order_by(PackQuestion.number)
        )
        return [
            PoolEntry(pack_question_id(guild_id, number), skill, difficulty)
            for number, skill, difficulty in rows
        ]

    async def mix(self, session: AsyncSession, guild_id: int | None) -> int:
        """The guild's pack share in percent (``DEFAULT_MIX`` unless a moderator set one)."""
        if guild_id is None:
            return 0
        settings = await session.get(PackSettings, guild_id)
        if settings is None or settings.mix_percent is None:
            return DEFAULT_MIX
        return settings.mix_percent

    def _from_pack(self, mix: int) -> bool:
        return mix > 0 and (mix >= 100 or self._rng.random() * 100 < mix)

    async def _chosen(self, session: AsyncSession, guild_id: int, entry: PoolEntry) -> Question:
        question = await self.get(session, guild_id, entry.id, active_only=True)
        assert question is not None, "an active pack question resolves in its guild"
        return question

    async def pick_daily(
        self,
        session: AsyncSession,
        guild_id: int,
        *,
        topics: Iterable[Category] | None,
        used: set[str],
        last_category: Category | None,
    ) -> tuple[Question, bool]:
        """The next daily question: from the guild's packs (by the mix) or the shipped bank."""
        allowed = set(topics) if topics else set(Category)
        pack = [
            e
            for e in await self.pack_pool(session, guild_id)
            if e.skill in self.content.skills and self.content.skills[e.skill].category in allowed
        ]
        mix = await self.mix(session, guild_id) if pack else 0
        if pack and self._from_pack(mix):
            fresh = [e for e in pack if e.id not in used]
            if fresh:
                return await self._chosen(session, guild_id, self._rng.choice(fresh)), False
            if mix >= 100:
                return await self._chosen(session, guild_id, self._rng.choice(pack)), True
        return pick_daily(
            self.content,
            topics=topics,
            used={u for u in used if u in self.content.questions},
            last_category=last_category,
            rng=self._rng,
        )

    async def pick_practice(
        self,
        session: AsyncSession,
        guild_id: int | None,
        *,
        topic: str | None,
        difficulty: str | None,
        recent: Sequence[str],
    ) -> Question | None:
        """A practice question: from the guild's packs (by the mix) or the shipped bank."""
        pack = [
            e
            for e in await self.pack_pool(session, guild_id)
            if _on_topic(self.content, e.skill, topic)
            and (not difficulty or e.difficulty == difficulty)
        ]
        shipped = pick_practice(
            self.content, topic=topic, difficulty=difficulty, recent=recent, rng=self._rng
        )
        if (
            guild_id is not None
            and pack
            and (shipped is None or self._from_pack(await self.mix(session, guild_id)))
        ):
            recent_set = set(recent)
            fresh = [e for e in pack if e.id not in recent_set]
            return await self._chosen(session, guild_id, self._rng.choice(fresh or pack))
        return shipped


@dataclass(frozen=True)
class PoolEntry:
    """A pack question as the pickers need it."""

    id: str
    skill: str
    difficulty: str


def _on_topic(content: Content, skill: str, topic: str | None) -> bool:
    if topic is None:
        return True
    if topic in {c.value for c in Category}:
        known = content.skills.get(skill)
        return known is not None and known.category.value == topic
    return skill == topic


# -- packs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackSummary:
    """One pack as ``/mod pack list`` shows it."""

    name: str
    questions: int
    created_at: datetime


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    name: str
    added: int
    server_total: int
    first_id: str


@dataclass(frozen=True)
class Submission:
    """A member's proposed question."""

    id: int
    guild_id: int
    user_id: int
    channel_id: int | None
    status: str
    question: Question
    reviewer_id: int | None
    reason: str | None
    question_id: str | None
    decided_at: datetime | None


class PackService:
    """Imports, lists, exports and deletes a guild's packs; reviews member submissions."""

    def __init__(self, db: Database, clock: Clock, bank: QuestionBank) -> None:
        self._db = db
        self._clock = clock
        self.bank = bank

    @property
    def content(self) -> Content:
        """The shipped content that server packs add to."""
        return self.bank.content

    async def server_total(self, session: AsyncSession, guild_id: int) -> int:
        """How many live pack questions the guild has, across its packs."""
        return (
            await session.scalar(
                select(func.count()).where(
                    PackQuestion.guild_id == guild_id, PackQuestion.deleted.is_(False)
                )
            )
            or 0
        )

    async def _numbers(self, session: AsyncSession, guild_id: int, count: int) -> int:
        """Reserve ``count`` question numbers; returns the first. Locks the guild's counter row."""
        await insert_ignore(session, PackSettings, guild_id=guild_id, next_number=1)
        following = await session.scalar(
            update(PackSettings)
            .where(PackSettings.guild_id == guild_id)
            .values(next_number=PackSettings.next_number + count)
            .returning(PackSettings.next_number)
        )
        assert following is not None
        return following - count

    async def import_pack(
        self, *, guild_id: int, name: str, pack: PackFile, moderator_id: int
    ) -> ImportResult:
        """Store a validated pack in one transaction; refuses (storing nothing) over a limit."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, now)
            await ensure_user(session, moderator_id, now)
            first = await self._numbers(session, guild_id, len(pack.questions))
            # Counted after the counter row is locked, so two imports cannot both pass.
            check_count(len(pack.questions), await self.server_total(session, guild_id))
            exists = await session.scalar(
                select(Pack.id).where(Pack.guild_id == guild_id, Pack.name == name)
            )
            if exists is not None:
                raise PackFileError(
                    [
                        f"This server already has a pack named `{name}`. Delete it first "
                        "(`/mod pack delete`) or import under another name."
                    ]
                )
            pack_id = await session.scalar(
                insert(Pack)
                .values(guild_id=guild_id, name=name, created_by=moderator_id, created_at=now)
                .returning(Pack.id)
            )
            await session.execute(
                insert(PackQuestion),
                [
                    _row_values(guild_id, pack_id, first + i, q, None, now)
                    for i, q in enumerate(pack.questions)
                ],
            )
            total = await self.server_total(session, guild_id)
        return ImportResult(name, len(pack.questions), total, pack_question_id(guild_id, first))

    async def list_packs(self, guild_id: int) -> list[PackSummary]:
        """The guild's packs with their live question counts."""
        async with self._db.read() as session:
            rows = await session.execute(
                select(Pack.name, func.count(PackQuestion.id), Pack.created_at)
                .outerjoin(
                    PackQuestion,
                    (PackQuestion.pack_id == Pack.id) & PackQuestion.deleted.is_(False),
                )
                .where(Pack.guild_id == guild_id)
                .group_by(Pack.id, Pack.name, Pack.created_at)
                .order_by(Pack.name)
            )
            return [PackSummary(n, c, at) for n, c, at in rows]

    async def mix_percent(self, guild_id: int) -> int:
        """The share (0-100) of the guild's daily questions drawn from its packs."""
        async with self._db.read() as session:
            return await self.bank.mix(session, guild_id)

    async def set_mix(self, guild_id: int, percent: int) -> int:
        """Set the share of daily questions drawn from the guild's packs; returns it."""
        if not 0 <= percent <= 100:
            raise UserError("The mix is a percentage from 0 to 100.")
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, now)
            await insert_ignore(session, PackSettings, guild_id=guild_id, next_number=1)
            await session.execute(
                update(PackSettings)
                .where(PackSettings.guild_id == guild_id)
                .values(mix_percent=percent)
            )
        return percent

    async def export_pack(self, guild_id: int, name: str) -> str:
        """The pack as a TOML file in the ``data/quiz`` shape (ids as imported)."""
        async with self._db.read() as session:
            pack_id = await session.scalar(
                select(Pack.id).where(Pack.guild_id == guild_id, Pack.name == name)
            )
            if pack_id is None:
                raise UserError(f"There is no pack named `{name[:40]}` here; see /mod pack list.")
            rows = list(
                await session.scalars(
                    select(PackQuestion)
                    .where(PackQuestion.pack_id == pack_id, PackQuestion.deleted.is_(False))
                    .order_by(PackQuestion.number)
                )
            )
        return to_toml(rows, name)

    async def delete_pack(self, guild_id: int, name: str) -> int:
        """Delete a pack; its questions are never picked again. Returns how many it had."""
        async with self._db.transaction() as session:
            pack = await session.scalar(
                select(Pack).where(Pack.guild_id == guild_id, Pack.name == name)
            )
            if pack is None:
                raise UserError(f"There is no pack named `{name[:40]}` here; see /mod pack list.")
            changed = await changed_rows(
                session,
                update(PackQuestion)
                .where(PackQuestion.pack_id == pack.id)
                .values(deleted=True, pack_id=None),
            )
            await session.delete(pack)
        self.bank.forget(guild_id)
        return changed

    async def pack_names(self, guild_id: int) -> list[str]:
        """The names of the guild's packs, sorted."""
        async with self._db.read() as session:
            return list(
                await session.scalars(
                    select(Pack.name).where(Pack.guild_id == guild_id).order_by(Pack.name)
                )
            )

    # -- submissions ------------------------------------------------------------------------

    def check_submission(self, raw: dict[str, object]) -> Question:
        """A submitted question through the same schema and checks as a pack file's."""
        try:
            question = Question.model_validate({"id": "submission", **raw})
        except Exception as error:  # pydantic.ValidationError
            raise UserError(_submission_problem(error)) from None
        problems = question_problems(question, self.content)
        if problems:
            field, message = problems[0]
            raise UserError(f"The {field}: {message}.")
        return question

    async def submit(
        self, *, guild_id: int, user_id: int, channel_id: int | None, question: Question
    ) -> Submission:
        """Queue a member's question for the moderators' review (a few pending per member)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await ensure_guild(session, guild_id, now)
            await ensure_user(session, user_id, now)
            pending = (
                await session.scalar(
                    select(func.count()).where(
                        QuestionSubmission.guild_id == guild_id,
                        QuestionSubmission.user_id == user_id,
                        QuestionSubmission.status == "pending",
                    )
                )
                or 0
            )
            if pending >= MAX_PENDING_PER_MEMBER:
                raise UserError(
                    f"You have {pending} questions waiting for review already; "
                    "wait for the moderators before sending more."
                )
            row = QuestionSubmission(
                guild_id=guild_id,
                user_id=user_id,
                channel_id=channel_id,
                status="pending",
                created_at=now,
                **_question_values(question),
            )
            session.add(row)
            await session.flush()
            return _submission(row)

    async def submission(self, guild_id: int, submission_id: int) -> Submission:
        """A submission of this guild by id, or a UserError if it is gone."""
        async with self._db.read() as session:
            row = await session.get(QuestionSubmission, submission_id)
            if row is None or row.guild_id != guild_id:
                raise UserError("That submission no longer exists.")
            return _submission(row)

    async def pending(self, guild_id: int, limit: int = 25) -> tuple[list[Submission], int]:
        """The oldest pending submissions and how many are pending in all."""
        async with self._db.read() as session:
            total = (
                await session.scalar(
                    select(func.count()).where(
                        QuestionSubmission.guild_id == guild_id,
                        QuestionSubmission.status == "pending",
                    )
                )
                or 0
            )
            rows = await session.scalars(
                select(QuestionSubmission)
                .where(
                    QuestionSubmission.guild_id == guild_id,
                    QuestionSubmission.status == "pending",
                )
                .order_by(QuestionSubmission.id)
                .limit(limit)
            )
            return [_submission(r) for r in rows], total

    async def edit(self, guild_id: int, submission_id: int, question: Question) -> Submission:
        """A moderator's correction of a pending submission."""
        async with self._db.transaction() as session:
            row = await self._pending_row(session, guild_id, submission_id)
            for key, value in _question_values(question).items():
                setattr(row, key, value)
            await session.flush()
            return _submission(row)

    async def approve(self, guild_id: int, submission_id: int, moderator_id: int) -> Submission:
        """Add the question to the server's members pack, crediting its author; exactly once."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await self._pending_row(session, guild_id, submission_id)
            question = _submission(row).question
            await ensure_user(session, moderator_id, now)
            check_count(1, await self.server_total(session, guild_id))
            await insert_ignore(
                session,
                Pack,
                guild_id=guild_id,
                name=MEMBERS_PACK,
                created_by=None,
                created_at=now,
            )
            pack_id = await session.scalar(
                select(Pack.id).where(Pack.guild_id == guild_id, Pack.name == MEMBERS_PACK)
            )
            count = await session.scalar(
                select(func.count()).where(
                    PackQuestion.pack_id == pack_id, PackQuestion.deleted.is_(False)
                )
            )
            if (count or 0) >= MAX_PACK_QUESTIONS:
                raise UserError(
                    f"The `{MEMBERS_PACK}` pack is full ({MAX_PACK_QUESTIONS} questions); "
                    "export it, delete it and import it in parts."
                )
            number = await self._numbers(session, guild_id, 1)
            question = question.model_copy(update={"id": f"member-{row.id}"})
            await session.execute(
                insert(PackQuestion).values(
                    **_row_values(guild_id, pack_id, number, question, row.user_id, now)
                )
            )
            row.status = "approved"
            row.reviewer_id = moderator_id
            row.decided_at = now
            row.question_number = number
            await session.flush()
            return _submission(row)

    async def reject(
        self, guild_id: int, submission_id: int, moderator_id: int, reason: str | None
    ) -> Submission:
        """Mark a pending submission rejected, with the moderator's reason if any."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await self._pending_row(session, guild_id, submission_id)
            await ensure_user(session, moderator_id, now)
            row.status = "rejected"
            row.reviewer_id = moderator_id
            row.reason = (reason or "").strip()[:300] or None
            row.decided_at = now
            await session.flush()
            return _submission(row)

    async def decided_since(self, since: datetime) -> list[Submission]:
        """Submissions decided after ``since``: their authors are told (delivery feed)."""
        async with self._db.read() as session:
            rows = await session.scalars(
                select(QuestionSubmission)
                .where(
                    QuestionSubmission.status != "pending",
                    QuestionSubmission.decided_at >= since,
                )
                .order_by(QuestionSubmission.id)
            )
            return [_submission(r) for r in rows]

    @staticmethod
    async def _pending_row(
        session: AsyncSession, guild_id: int, submission_id: int
    ) -> QuestionSubmission:
        row = await session.get(QuestionSubmission, submission_id, with_for_update=True)
        if row is None or row.guild_id != guild_id:
            raise UserError("That submission no longer exists.")
        if row.status != "pending":
            raise UserError(f"That submission was already {row.status}.")
        return row


MAX_PENDING_PER_MEMBER = 5
"""How many of one member's submissions may wait for review at once."""


def _question_values(question: Question) -> dict[str, object]:
    return {
        "skill": question.skill,
        "difficulty": question.difficulty.value,
        "prompt": question.prompt,
        "choices": list(question.choices),
        "answer": question.answer,
        "explanation": question.explanation,
        "source": str(question.source),
    }


def _row_values(
    guild_id: int,
    pack_id: int | None,
    number: int,
    question: Question,
    author_id: int | None,
    now: datetime,
) -> dict[str, object]:
    return {
        "guild_id": guild_id,
        "pack_id": pack_id,
        "number": number,
        "slug": question.id,
        "interview": question.interview,
        "author_id": author_id,
        "deleted": False,
        "created_at": now,
        **_question_values(question),
    }


def _submission(row: QuestionSubmission) -> Submission:
    question = Question.model_validate(
        {
            "id": f"submission-{row.id}",
            "skill": row.skill,
            "difficulty": row.difficulty,
            "prompt": row.prompt,
            "choices": list(row.choices),
            "answer": row.answer,
            "explanation": row.explanation,
            "source": row.source,
        }
    )
    return Submission(
        id=row.id,
        guild_id=row.guild_id,
        user_id=row.user_id,
        channel_id=row.channel_id,
        status=row.status,
        question=question,
        reviewer_id=row.reviewer_id,
        reason=row.reason,
        question_id=(
            pack_question_id(row.guild_id, row.question_number) if row.question_number else None
        ),
        decided_at=row.decided_at,
    )


def _submission_problem(error: Exception) -> str:
    errors = getattr(error, "errors", None)
    if not callable(errors):
        return "That question is not valid."
    first = errors(include_url=False)[0]
    field = ".".join(str(p) for p in first["loc"]) or "answer"
    if field == "choices" and first["type"] in ("too_short", "too_long"):
        count = len(first.get("input") or [])
        return f"The choices: 2 to 4 are needed, each on a line of its own; I read {count}."
    message = str(first["msg"]).removeprefix("Value error, ")
    names = {"choices": "choices", "source": "source link", "prompt": "question"}
    return f"The {names.get(field.split('.')[0], field)}: {message}."


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def to_toml(rows: Iterable[PackQuestion], name: str) -> str:
    """Pack questions as a ``data/quiz``-shaped TOML file that imports back unchanged."""
    lines = [f"# Question pack `{name}`, exported by Backend Mentor.", ""]
    for row in rows:
        lines += [
            "[[question]]",
            f"id = {_toml_string(row.slug)}",
            f"skill = {_toml_string(row.skill)}",
            f"difficulty = {_toml_string(row.difficulty)}",
            f"prompt = {_toml_string(row.prompt)}",
            "choices = [" + ", ".join(_toml_string(c) for c in row.choices) + "]",
            f"answer = {row.answer}",
            f"explanation = {_toml_string(row.explanation)}",
            f"source = {_toml_string(row.source)}",
        ]
        if row.interview:
            lines.append("interview = true")
        lines.append("")
    return "\n".join(lines)


__all__ = [
    "DEFAULT_MIX",
    "MAX_PACK_QUESTIONS",
    "MAX_SERVER_QUESTIONS",
    "ImportResult",
    "PackService",
    "PackSummary",
    "QuestionBank",
    "Submission",
    "is_pack_id",
    "pack_question_id",
    "parse_pack_id",
]
