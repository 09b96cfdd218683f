"""The services the cogs use, built once from the database, the clock and the content."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.db.engine import Database
from bot.services.daily_quiz import DailyQuizService
from bot.services.learning import LearningService
from bot.services.practice import PracticeService
from bot.services.state import StateStore


@dataclass
class Services:
    """Every domain service, sharing one database, one clock and one content set."""

    db: Database
    clock: Clock
    content: Content
    state: StateStore = field(init=False)
    learning: LearningService = field(init=False)
    daily: DailyQuizService = field(init=False)
    practice: PracticeService = field(init=False)

    def __post_init__(self) -> None:
        self.state = StateStore(self.db)
        self.learning = LearningService(self.db, self.clock, self.content)
        self.daily = DailyQuizService(self.db, self.clock, self.content)
        self.practice = PracticeService(self.db, self.clock, self.content)
