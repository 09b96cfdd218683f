"""Every model, imported here so ``Base.metadata`` knows all tables."""

from bot.db.models.base import Base
from bot.db.models.buckets import BoardBucket
from bot.db.models.career import CareerGoal
from bot.db.models.community import Milestone, MilestonePing, RecapSettings, StudySession
from bot.db.models.core import Activity, BotState, Guild, Member, TimezoneUndo, User
from bot.db.models.delivery import Delivery
from bot.db.models.habits import (
    ChallengeCompletion,
    ChallengePost,
    ChallengeSchedule,
    Reminder,
    StreakEvent,
)
from bot.db.models.learning import LearnedSkill
from bot.db.models.mastery import QuestionDifficulty, SkillMastery
from bot.db.models.packs import Pack, PackQuestion, PackSettings, QuestionSubmission
from bot.db.models.points import BoardTotal, ModAudit, PenaltyCarryover, PointsEntry, Season
from bot.db.models.quiz import (
    AnswerMarker,
    DailyPost,
    GuildQuestionUse,
    QuizAnswer,
    QuizPrompt,
    QuizSchedule,
    ReviewCard,
)
from bot.db.models.rewards import AchievementUnlock, RoleGrant, RoleReward

__all__ = [
    "AchievementUnlock",
    "Activity",
    "AnswerMarker",
    "Base",
    "BoardBucket",
    "BoardTotal",
    "BotState",
    "CareerGoal",
    "ChallengeCompletion",
    "ChallengePost",
    "ChallengeSchedule",
    "DailyPost",
    "Delivery",
    "Guild",
    "GuildQuestionUse",
    "LearnedSkill",
    "Member",
    "Milestone",
    "MilestonePing",
    "ModAudit",
    "Pack",
    "PackQuestion",
    "PackSettings",
    "PenaltyCarryover",
    "PointsEntry",
    "QuestionDifficulty",
    "QuestionSubmission",
    "QuizAnswer",
    "QuizPrompt",
    "QuizSchedule",
    "RecapSettings",
    "Reminder",
    "ReviewCard",
    "RoleGrant",
    "RoleReward",
    "Season",
    "SkillMastery",
    "StreakEvent",
    "StudySession",
    "TimezoneUndo",
    "User",
]
