"""Every model, imported here so ``Base.metadata`` knows all tables."""

from bot.db.models.base import Base
from bot.db.models.core import Activity, BotState, Guild, Member, User
from bot.db.models.learning import LearnedSkill

__all__ = ["Activity", "Base", "BotState", "Guild", "LearnedSkill", "Member", "User"]
