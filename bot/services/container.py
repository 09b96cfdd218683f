"""The services the cogs use, built once from the database, the clock and the content."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.content.catalogue import Content
from bot.db.engine import Database
from bot.services.achievements import Achievements
from bot.services.answers import AnswerWriter, answer_writer
from bot.services.assessments import AssessmentService
from bot.services.career import CareerService
from bot.services.challenges import ChallengeService
from bot.services.contexts import GuildContexts
from bot.services.daily_quiz import DailyQuizService
from bot.services.guilds import GuildService
from bot.services.leaderboards import LeaderboardService
from bot.services.learning import LearningService
from bot.services.mastery import MasteryService
from bot.services.member_card import MemberCardService
from bot.services.mydata import MyDataService
from bot.services.packs import PackService, QuestionBank
from bot.services.practice import PracticeService
from bot.services.profile import ProfileService
from bot.services.recaps import RecapService
from bot.services.reminders import ReminderService
from bot.services.rewards import RewardService
from bot.services.state import StateStore
from bot.services.streaks import StreakService
from bot.services.study import StudyService
from bot.services.study_timer import StudyTimerService


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
    streaks: StreakService = field(init=False)
    profile: ProfileService = field(init=False)
    study: StudyService = field(init=False)
    timer: StudyTimerService = field(init=False)
    reminders: ReminderService = field(init=False)
    challenges: ChallengeService = field(init=False)
    boards: LeaderboardService = field(init=False)
    mydata: MyDataService = field(init=False)
    mastery: MasteryService = field(init=False)
    career: CareerService = field(init=False)
    assessments: AssessmentService = field(init=False)
    guilds: GuildService = field(init=False)
    contexts: GuildContexts = field(init=False)
    answers: AnswerWriter = field(init=False)
    bank: QuestionBank = field(init=False)
    packs: PackService = field(init=False)
    recaps: RecapService = field(init=False)
    achievements: Achievements = field(init=False)
    rewards: RewardService = field(init=False)
    cards: MemberCardService = field(init=False)

    def __post_init__(self) -> None:
        self.contexts = GuildContexts()
        self.answers = answer_writer(self.db, self.content, self.contexts)
        self.state = StateStore(self.db)
        self.learning = LearningService(self.db, self.clock, self.content)
        self.bank = QuestionBank(self.content)
        self.packs = PackService(self.db, self.clock, self.bank)
        self.daily = DailyQuizService(
            self.db, self.clock, self.content, bank=self.bank, answers=self.answers
        )
        self.practice = PracticeService(
            self.db, self.clock, self.content, bank=self.bank, answers=self.answers
        )
        self.streaks = StreakService(self.db, self.clock)
        self.profile = ProfileService(self.db, self.clock)
        self.study = StudyService(self.db, self.clock, self.content)
        self.timer = StudyTimerService(self.db, self.clock, self.study)
        self.reminders = ReminderService(self.db, self.clock)
        self.challenges = ChallengeService(self.db, self.clock, self.content, answers=self.answers)
        self.boards = LeaderboardService(self.db, self.clock, contexts=self.contexts)
        self.mydata = MyDataService(self.db, self.clock)
        self.mastery = MasteryService(self.db, self.clock, self.content)
        self.career = CareerService(self.db, self.clock, self.content, self.mastery, self.practice)
        self.assessments = AssessmentService(
            self.db, self.clock, self.content, self.practice, self.mastery, self.career
        )
        self.guilds = GuildService(self.db, self.clock, contexts=self.contexts)
        self.recaps = RecapService(self.db, self.clock, self.content, self.boards)
        self.achievements = Achievements(self.db, self.clock, self.content)
        self.achievements.attach()
        self.rewards = RewardService(self.db, self.clock, self.content)
        self.cards = MemberCardService(
            self.db, self.clock, self.achievements, len(self.content.skills)
        )
