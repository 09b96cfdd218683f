"""Picking questions and shuffling their choices."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.content.catalogue import Content
from bot.content.schema import Category, Question


@dataclass(frozen=True)
class ShownQuestion:
    """A question as one person or channel sees it: choices in a shuffled order."""

    question: Question
    order: tuple[int, ...]

    @property
    def choices(self) -> list[str]:
        """Choice texts in display order."""
        return [self.question.choices[i] for i in self.order]

    @property
    def right_position(self) -> int:
        """Display position of the right answer."""
        return self.order.index(self.question.answer)

    def original(self, position: int) -> int:
        """The choice index in the file for a display position."""
        return self.order[position]


def shuffled_order(count: int, rng: random.Random) -> tuple[int, ...]:
    """A random permutation of ``range(count)``."""
    order = list(range(count))
    rng.shuffle(order)
    return tuple(order)


def encode_order(order: Sequence[int]) -> str:
    """An answer order as stored: the positions joined by commas."""
    return ",".join(map(str, order))


def decode_order(text: str) -> tuple[int, ...]:
    """The answer order that ``encode_order`` stored."""
    return tuple(int(part) for part in text.split(","))


def category_of(content: Content, question: Question) -> Category:
    """The category of the question's skill."""
    return content.skills[question.skill].category


def pick_daily(
    content: Content,
    *,
    topics: Iterable[Category] | None,
    used: set[str],
    last_category: Category | None,
    rng: random.Random,
) -> tuple[Question, bool]:
    """The next daily question: unused in this round, rotating through categories.

    Returns the question and whether the round restarted (every question of the
    allowed topics had been used, so the used set should be cleared first).
    """
    allowed = set(topics) if topics else set(Category)
    pool = [q for q in content.questions.values() if category_of(content, q) in allowed]
    if not pool:
        raise LookupError("no questions for these topics")
    fresh = [q for q in pool if q.id not in used]
    restarted = not fresh
    if restarted:
        fresh = pool
    by_category: dict[Category, list[Question]] = {}
    for question in fresh:
        by_category.setdefault(category_of(content, question), []).append(question)
    ordered = [c for c in Category if c in by_category]
    if last_category in ordered and len(ordered) > 1:
        start = (ordered.index(last_category) + 1) % len(ordered)
    elif last_category is not None:
        later = [
            c for c in ordered if list(Category).index(c) > list(Category).index(last_category)
        ]
        start = ordered.index(later[0]) if later else 0
    else:
        start = 0
    category = ordered[start]
    candidates = sorted(by_category[category], key=lambda q: q.id)
    return rng.choice(candidates), restarted


def pick_practice(
    content: Content,
    *,
    topic: str | None,
    difficulty: str | None,
    recent: Sequence[str],
    rng: random.Random,
) -> Question | None:
    """A practice question on ``topic``, avoiding the user's most recent ones when possible."""
    pool = content.questions_for_topic(topic)
    if difficulty:
        pool = [q for q in pool if q.difficulty == difficulty]
    if not pool:
        return None
    recent_set = set(recent)
    fresh = [q for q in pool if q.id not in recent_set]
    if fresh:
        return rng.choice(sorted(fresh, key=lambda q: q.id))
    # Everything was seen recently: take the one seen longest ago.
    position = {qid: i for i, qid in enumerate(recent)}
    return max(pool, key=lambda q: position.get(q.id, len(recent)))
