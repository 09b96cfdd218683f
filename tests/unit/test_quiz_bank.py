"""Daily questions: no repeats until the bank is used up, categories rotate, choices shuffle."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from bot.clock import FrozenClock
from bot.content.catalogue import Content
from bot.content.schema import Category
from bot.db.engine import Database
from bot.services.daily_quiz import DailyQuizService
from bot.services.quiz_bank import ShownQuestion, category_of, shuffled_order

GUILD = 7


async def schedule(service: DailyQuizService, *, days: str = "daily") -> None:
    await service.set_schedule(
        guild_id=GUILD,
        channel_id=1,
        time_text="09:00",
        timezone_text="UTC",
        days=days,  # type: ignore[arg-type]
        close_text=None,
        moderator_id=1,
    )


async def post_days(
    service: DailyQuizService, db: Database, clock: FrozenClock, days: int
) -> list[str]:
    ids = []
    for _ in range(days):
        [due] = await service.due(clock.now())
        plan = await service.prepare_post(GUILD, due.occurrence.local_date)
        async with db.transaction() as session:
            await service.confirm_post(session, GUILD, plan.local_date, plan.post_id + 1000)
        ids.append(plan.shown.question.id)
        clock.advance(timedelta(days=1))
    return ids


async def test_no_repeat_until_the_topic_bank_is_used_up(db: Database, content: Content) -> None:
    clock = FrozenClock(datetime(2026, 1, 1, 8, tzinfo=UTC))
    service = DailyQuizService(db, clock, content, random.Random(1))
    await schedule(service, days="daily")
    clock.set(datetime(2026, 1, 1, 12, tzinfo=UTC))
    await service.set_topics(GUILD, [Category.SOFT_SKILLS])
    bank = [
        q for q in content.questions.values() if category_of(content, q) == Category.SOFT_SKILLS
    ]
    ids = await post_days(service, db, clock, len(bank) + 3)
    first_round = ids[: len(bank)]
    assert len(set(first_round)) == len(bank)
    assert set(first_round) == {q.id for q in bank}
    assert len(set(ids[len(bank) :])) == 3


async def test_categories_rotate(db: Database, content: Content) -> None:
    clock = FrozenClock(datetime(2026, 1, 1, 8, tzinfo=UTC))
    service = DailyQuizService(db, clock, content, random.Random(2))
    await schedule(service, days="daily")
    clock.set(datetime(2026, 1, 1, 12, tzinfo=UTC))
    ids = await post_days(service, db, clock, len(Category) * 2)
    categories = [category_of(content, content.questions[i]) for i in ids]
    assert categories[: len(Category)] == list(Category)
    assert all(a != b for a, b in pairwise(categories))


async def test_weekday_schedule_skips_weekends(db: Database, content: Content) -> None:
    saturday = datetime(2026, 1, 3, 12, tzinfo=UTC)
    clock = FrozenClock(saturday - timedelta(days=7))  # set well before
    service = DailyQuizService(db, clock, content)
    await schedule(service, days="weekdays")
    clock.set(saturday)
    assert await service.due(clock.now()) == []
    clock.advance(timedelta(days=1))
    assert await service.due(clock.now()) == []  # Sunday
    clock.advance(timedelta(days=1))
    [due] = await service.due(clock.now())
    assert due.occurrence.local_date.weekday() == 0  # Monday


def test_shuffling_moves_the_right_answer_around(content: Content) -> None:
    rng = random.Random(3)
    question = next(q for q in content.questions.values() if len(q.choices) == 4)
    positions = Counter(
        ShownQuestion(question, shuffled_order(4, rng)).right_position for _ in range(400)
    )
    assert set(positions) == {0, 1, 2, 3}
    assert min(positions.values()) > 60
