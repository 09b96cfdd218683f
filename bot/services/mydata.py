"""A member's own data: everything the bot stores about them, exported or deleted."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import DeclarativeBase

from bot.clock import Clock
from bot.db.engine import Database
from bot.db.models import (
    AchievementUnlock,
    Activity,
    Base,
    BoardTotal,
    CareerGoal,
    ChallengeCompletion,
    ChallengeSchedule,
    Delivery,
    LearnedSkill,
    Member,
    Milestone,
    MilestonePing,
    ModAudit,
    PackQuestion,
    PointsEntry,
    QuestionSubmission,
    QuizAnswer,
    QuizPrompt,
    QuizSchedule,
    RecapSettings,
    Reminder,
    ReviewCard,
    RoleGrant,
    RoleReward,
    SkillMastery,
    StreakEvent,
    StudySession,
    TimezoneUndo,
    User,
)
from bot.services import forgetting
from bot.services.reminders import KIND as REMINDER

# Tables whose rows belong to the user (deleted through users' ON DELETE CASCADE).
OWNED: dict[str, type[Base]] = {
    "memberships": Member,
    "activity": Activity,
    "learned_skills": LearnedSkill,
    "quiz_answers": QuizAnswer,
    "quiz_prompts": QuizPrompt,
    "review_cards": ReviewCard,
    "skill_mastery": SkillMastery,
    "points": PointsEntry,
    "board_totals": BoardTotal,
    "streak_events": StreakEvent,
    "reminders": Reminder,
    "challenge_completions": ChallengeCompletion,
    "timezone_undo": TimezoneUndo,
    "career_goal": CareerGoal,
    "question_submissions": QuestionSubmission,
    "study_sessions": StudySession,
    "milestones": Milestone,
    "milestone_pings": MilestonePing,
    "achievements": AchievementUnlock,
    "reward_roles": RoleGrant,
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: DeclarativeBase) -> dict[str, Any]:
    return {column.key: _plain(getattr(obj, column.key)) for column in obj.__mapper__.columns}


class MyDataService:
    """Export and deletion of one user's data, across every table."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user, as JSON-ready data."""
        async with self._db.read() as session:
            user = await session.get(User, user_id)
            data: dict[str, Any] = {
                "user_id": str(user_id),
                "profile": _row(user) if user else None,
            }
            for name, model in OWNED.items():
                owner = model.__table__.c.user_id
                rows = await session.scalars(select(model).where(owner == user_id))
                data[name] = [_row(r) for r in rows]
            audit = await session.scalars(
                select(ModAudit).where(
                    or_(ModAudit.target_user_id == user_id, ModAudit.moderator_id == user_id)
                )
            )
            data["moderation_log"] = [_row(r) for r in audit]
            reminders_sent = await session.scalars(
                select(Delivery).where(Delivery.kind == REMINDER, Delivery.subject_id == user_id)
            )
            data["reminder_deliveries"] = [_row(r) for r in reminders_sent]
            # Approved questions stay in the server's pack; deletion removes the credit.
            authored = await session.scalars(
                select(PackQuestion).where(PackQuestion.author_id == user_id)
            )
            data["authored_pack_questions"] = [_row(r) for r in authored]
        return data

    async def delete(self, user_id: int) -> bool:
        """Delete every row about the user; False if there was nothing to delete.

        Moderation survives in anonymised form (see ``services.forgetting``).
        """
        async with self._db.transaction() as session:
            existed = await session.get(User, user_id) is not None
            await forgetting.forget(session, user_id, self._clock.now())
            for schedule in (QuizSchedule, ChallengeSchedule, RecapSettings):
                await session.execute(
                    update(schedule).where(schedule.updated_by == user_id).values(updated_by=None)
                )
            await session.execute(
                update(RoleReward).where(RoleReward.created_by == user_id).values(created_by=None)
            )
            await session.execute(
                delete(Delivery).where(Delivery.kind == REMINDER, Delivery.subject_id == user_id)
            )
            await session.execute(delete(User).where(User.id == user_id))
        return existed
