"""Spaced repetition with FSRS (the ``fsrs`` library, the scheduler Anki uses).

Every answer a member gives, daily, practice or review, is a review of that
member's card for the question: a card is created on the first answer, right or
wrong, and FSRS reschedules it on every answer after that.

The rating comes from the verdict and, where the bot knows it, the time taken
(from showing a private prompt to the click):

- wrong: **Again** (due again the next day);
- right in under ``EASY_UNDER`` (15 s): **Easy**;
- right in more than ``HARD_OVER`` (60 s): **Hard**;
- right otherwise, or when the time is unknown (the daily question stays open all
  day, so its answer time says nothing): **Good**.

The scheduler is FSRS with its default parameters, 90% desired retention, no
intra-day learning steps (the bot reviews by day, so a missed question comes back
tomorrow, not in ten minutes) and no fuzz (a rebuild or a test gives the same
dates). A card is due on the date its next review falls on in the member's
timezone; ``/quiz review`` asks the due cards of the member's today.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler, State
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.in_list import in_list
from bot.db.models import ReviewCard, User
from bot.db.upsert import DialectInsert, insert_rows
from bot.services.localtime import guild_timezones, local_day

EASY_UNDER = timedelta(seconds=15)
HARD_OVER = timedelta(seconds=60)

SCHEDULER = Scheduler(
    desired_retention=0.9, learning_steps=(), relearning_steps=(), enable_fuzzing=False
)


def rating_for(correct: bool, took: timedelta | None) -> Rating:
    """The FSRS rating of an answer: wrong → Again; right → Easy, Good or Hard by time taken."""
    if not correct:
        return Rating.Again
    if took is None:
        return Rating.Good
    if took < EASY_UNDER:
        return Rating.Easy
    if took > HARD_OVER:
        return Rating.Hard
    return Rating.Good


@dataclass(frozen=True, slots=True)
class CardState:
    """A review card as stored, without the member-question key."""

    state: int
    stability: float
    difficulty: float
    due: datetime
    last_review: datetime
    reps: int
    lapses: int

    def to_fsrs(self) -> Card:
        """The card as the fsrs library's ``Card``."""
        return Card(
            card_id=0,
            state=State(self.state),
            step=None,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )


def review(card: CardState | None, rating: Rating, at: datetime) -> CardState:
    """The card after one review at ``at`` (``card`` None: a new card's first review)."""
    at = at.astimezone(UTC)
    before = Card(card_id=0, due=at) if card is None else card.to_fsrs()
    if card is not None and card.last_review > at:
        # An answer stored out of order (concurrent writers): review it at the last review.
        at = card.last_review
    after, _log = SCHEDULER.review_card(before, rating, review_datetime=at)
    assert after.stability is not None and after.difficulty is not None
    return CardState(
        state=int(after.state),
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due,
        last_review=at,
        reps=(card.reps if card else 0) + 1,
        lapses=(card.lapses if card else 0) + (1 if rating == Rating.Again and card else 0),
    )


@dataclass(frozen=True, slots=True)
class ReviewedAnswer:
    """One answer as the review scheduler needs it."""

    user_id: int
    guild_id: int | None
    question_id: str
    correct: bool
    answered_at: datetime
    took: timedelta | None = None


_users = User.__table__.c
_cards = ReviewCard.__table__.c
# Built once with list parameters (in_list; Core columns: no ORM step on the answer path).
_user_zones = select(_users.id, _users.timezone).where(in_list(_users.id, "users"))
_lock_cards = (
    select(
        _cards.user_id,
        _cards.question_id,
        _cards.state,
        _cards.stability,
        _cards.difficulty,
        _cards.due,
        _cards.last_review,
        _cards.reps,
        _cards.lapses,
    )
    .where(
        in_list(_cards.user_id, "users"),
        in_list(_cards.question_id, "questions"),
    )
    .order_by(_cards.user_id, _cards.question_id)
    .with_for_update()
)


async def _timezones(session: AsyncSession, answers: Sequence[ReviewedAnswer]) -> dict[int, str]:
    """Each member's timezone: their own, else their answer's guild's, else UTC (two queries)."""
    users = sorted({a.user_id for a in answers})
    own = dict((await session.execute(_user_zones, {"users": users})).tuples().all())
    guild_of = {a.user_id: a.guild_id for a in answers if a.guild_id is not None}
    needed = sorted({guild_of[u] for u in users if not own.get(u) and u in guild_of})
    guilds = await guild_timezones(session, needed) if needed else {}
    return {u: own.get(u) or guilds.get(guild_of.get(u, -1)) or "UTC" for u in users}


@dataclass(frozen=True, slots=True)
class Scheduled:
    """Where a card stands after an answer: its next review, as a moment and a local date."""

    due: datetime
    due_on: date
    stability: float
    reps: int


async def apply_reviews(
    session: AsyncSession,
    answers: Sequence[ReviewedAnswer],
    timezones: Mapping[int, str] | None = None,
) -> dict[tuple[int, str], Scheduled]:
    """Review the cards of ``answers`` (in order) inside the caller's transaction.

    Loads the cards with a row lock, applies every answer in order, and writes each
    card once. Plugs into a per-answer transaction or a batched one alike. Each due
    date is a day in the member's ``timezones`` entry, read here when not given.
    """
    if not answers:
        return {}
    wanted = {(a.user_id, a.question_id) for a in answers}
    rows = await session.execute(
        _lock_cards,
        {
            "users": sorted({a.user_id for a in answers}),
            "questions": sorted({a.question_id for a in answers}),
        },
    )
    cards: dict[tuple[int, str], CardState] = {
        (user_id, question_id): CardState(*fields)
        for user_id, question_id, *fields in rows
        if (user_id, question_id) in wanted
    }
    given = timezones or {}
    zones = (
        dict(given)
        if all(a.user_id in given for a in answers)
        else await _timezones(session, answers)
    )
    for answer in answers:
        key = (answer.user_id, answer.question_id)
        cards[key] = review(
            cards.get(key), rating_for(answer.correct, answer.took), answer.answered_at
        )
    now = max(a.answered_at for a in answers)
    written: dict[tuple[int, str], Scheduled] = {}
    values = []
    for key in sorted(wanted):
        card = cards[key]
        written[key] = Scheduled(
            card.due, local_day(card.due, zones[key[0]]), card.stability, card.reps
        )
        values.append(
            {
                "user_id": key[0],
                "question_id": key[1],
                "state": card.state,
                "stability": card.stability,
                "difficulty": card.difficulty,
                "due": card.due,
                "due_on": written[key].due_on,
                "last_review": card.last_review,
                "reps": card.reps,
                "lapses": card.lapses,
                "updated_at": now,
            }
        )
    await insert_rows(session, "review-cards", ReviewCard.__table__, values, _card_upsert)
    return written


_CARD_KEY = ("user_id", "question_id")
_CARD_FIELDS = (
    "state",
    "stability",
    "difficulty",
    "due",
    "due_on",
    "last_review",
    "reps",
    "lapses",
    "updated_at",
)


def _card_upsert(statement: DialectInsert) -> Any:
    """Insert a card, or replace the stored one's fields."""
    return statement.on_conflict_do_update(
        index_elements=list(_CARD_KEY),
        set_={c: statement.excluded[c] for c in _CARD_FIELDS},
    )
