"""Every model, imported here so ``Base.metadata`` knows all tables."""

from bot.db.models.base import Base
from bot.db.models.core import Activity, BotState, Guild, Member, User

__all__ = ["Activity", "Base", "BotState", "Guild", "Member", "User"]
