"""The learner model: how sure the bot is that a member knows a skill.

Pure functions and frozen dataclasses; no database, no Discord. The storage side
(``bot.services.mastery``) loads states, calls :func:`update` once per answer in
answer order, and writes them back; ``python -m bot mastery rebuild`` replays the
whole answer log through the same function, so the stored values are exactly what
a replay gives.

The model, in plain words
-------------------------
Every member has a hidden *ability* per skill (``theta``) and every question has a
*difficulty* (``b``), both on one logit scale. The chance of a right answer is::

    P(right) = sigmoid(theta - b) = 1 / (1 + exp(-(theta - b)))

(a one-parameter logistic, or Rasch, item-response model). After each answer both
numbers take an Elo step towards what was seen::

    surprise = (1 if right else 0) - P(right)
    theta   += K_member(evidence) * surprise
    b       -= K_question(answers) * surprise

- A right answer always raises ability and a wrong one always lowers it.
- A right answer on a hard question (low ``P(right)``) is a bigger surprise, so it
  raises ability more than a right answer on an easy one; a wrong answer on an easy
  question lowers it more than a wrong answer on a hard one.
- ``K_member`` starts at ``MEMBER_K_START`` (1.2) and falls towards ``MEMBER_K_MIN``
  (0.3) as evidence accumulates (``K = K_MIN + (K_START - K_MIN) / (1 + evidence / 5)``):
  the first few answers move the estimate a lot, later ones fine-tune it, and it never
  freezes, so a member who starts getting a skill wrong sees it drop.
- Question difficulty is calibrated from every member's answers with a smaller step
  (``QUESTION_K_START`` 0.4 falling to ``QUESTION_K_MIN`` 0.05 over its answers). It
  is seeded from the question's written level: beginner -1, intermediate 0,
  advanced +1.

Recency: ability fades back towards the prior when a skill is left alone. Before
each update, and whenever mastery is read, the distance from the prior is halved
every ``HALF_LIFE_DAYS`` (60) days since the member's last answer on the skill;
the evidence count behind ``K_member`` fades the same way, so someone coming back
after months moves quickly again. Answer counts (right/total) never fade.

Mastery is reported as a probability from 0 to 1: ``P(right)`` on a medium
(intermediate, ``b = 0``) question, i.e. ``sigmoid(theta)``. That is the scale of
the career tracks' targets (``data/tracks.toml``). The prior ability,
``PRIOR_THETA = -1``, gives a mastery of 0.27: about what guessing scores on a
four-choice question, which is where an unseen skill sits.

Roll-ups: a category or track value is the weighted mean of its skills' mastery,
with every skill the member has not answered yet counted at the prior.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

PRIOR_THETA = -1.0
"""Ability before any answer: mastery sigmoid(-1) = 0.27, about a guess among four choices."""

MEDIUM_DIFFICULTY = 0.0
"""Mastery is P(right) on a question of this difficulty (the intermediate seed)."""

LEVEL_DIFFICULTY: dict[str, float] = {"beginner": -1.0, "intermediate": 0.0, "advanced": 1.0}
"""Where a question's difficulty starts, from the level it was written for."""

HALF_LIFE_DAYS = 60.0
"""Days without an answer on a skill after which half the distance from the prior is gone."""

MEMBER_K_START = 1.2
MEMBER_K_MIN = 0.3
MEMBER_K_SCALE = 5.0
QUESTION_K_START = 0.4
QUESTION_K_MIN = 0.05
QUESTION_K_SCALE = 10.0

THETA_BOUND = 6.0
DIFFICULTY_BOUND = 4.0

_SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class SkillState:
    """One member's estimate on one skill."""

    theta: float = PRIOR_THETA
    evidence: float = 0.0
    answers: int = 0
    right: int = 0
    last_answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class QuestionState:
    """One question's calibrated difficulty."""

    difficulty: float
    answers: int = 0


def sigmoid(x: float) -> float:
    """The logistic function, safe for large magnitudes."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def seed_difficulty(level: str) -> float:
    """A new question's difficulty from its written level."""
    return LEVEL_DIFFICULTY[level]


def new_question(level: str) -> QuestionState:
    """The state of a question nobody has answered yet."""
    return QuestionState(difficulty=seed_difficulty(level))


def member_k(evidence: float) -> float:
    """The member's Elo step size after ``evidence`` (decayed) answers on the skill."""
    return MEMBER_K_MIN + (MEMBER_K_START - MEMBER_K_MIN) / (1.0 + evidence / MEMBER_K_SCALE)


def question_k(answers: int) -> float:
    """The question's Elo step size after ``answers`` answers."""
    return QUESTION_K_MIN + (QUESTION_K_START - QUESTION_K_MIN) / (1.0 + answers / QUESTION_K_SCALE)


def _retention(since: datetime | None, at: datetime) -> float:
    """The share of the distance from the prior kept after the time from ``since`` to ``at``."""
    if since is None or at <= since:
        return 1.0
    return math.pow(0.5, (at - since).total_seconds() / (_SECONDS_PER_DAY * HALF_LIFE_DAYS))


def decayed(state: SkillState, at: datetime) -> SkillState:
    """The state as of ``at``: ability and evidence faded towards the prior since the last answer."""
    keep = _retention(state.last_answered_at, at)
    if keep == 1.0:
        return state
    return replace(
        state,
        theta=PRIOR_THETA + (state.theta - PRIOR_THETA) * keep,
        evidence=state.evidence * keep,
    )


def _clamp(value: float, bound: float) -> float:
    return -bound if value < -bound else bound if value > bound else value


def update(
    skill: SkillState, question: QuestionState, correct: bool, at: datetime
) -> tuple[SkillState, QuestionState]:
    """Both states after one answer at ``at``: decay, then one Elo step on each side."""
    keep = _retention(skill.last_answered_at, at)
    if keep == 1.0:
        theta, evidence = skill.theta, skill.evidence
    else:
        theta = PRIOR_THETA + (skill.theta - PRIOR_THETA) * keep
        evidence = skill.evidence * keep
    surprise = (1.0 if correct else 0.0) - sigmoid(theta - question.difficulty)
    last = skill.last_answered_at
    new_skill = SkillState(
        _clamp(theta + member_k(evidence) * surprise, THETA_BOUND),
        evidence + 1.0,
        skill.answers + 1,
        skill.right + (1 if correct else 0),
        at if last is None or at > last else last,
    )
    new_question = QuestionState(
        _clamp(question.difficulty - question_k(question.answers) * surprise, DIFFICULTY_BOUND),
        question.answers + 1,
    )
    return new_skill, new_question


def probability_right(skill: SkillState, difficulty: float, at: datetime | None = None) -> float:
    """The chance of a right answer on a question of ``difficulty`` (as of ``at``, if given)."""
    theta = skill.theta
    if at is not None and skill.last_answered_at is not None:
        theta = PRIOR_THETA + (theta - PRIOR_THETA) * _retention(skill.last_answered_at, at)
    return sigmoid(theta - difficulty)


def mastery(skill: SkillState | None, at: datetime | None = None) -> float:
    """Mastery 0-1: P(right) on a medium question, as of ``at`` (recency applied) if given."""
    return probability_right(skill or SkillState(), MEDIUM_DIFFICULTY, at)


PRIOR_MASTERY = sigmoid(PRIOR_THETA - MEDIUM_DIFFICULTY)
"""The mastery of a skill with no answers (0.269)."""


def rollup(
    values: Mapping[str, float], skills: Iterable[str], weights: Mapping[str, float] | None = None
) -> float:
    """Weighted mean mastery over ``skills``; a skill missing from ``values`` counts at the prior."""
    total = 0.0
    weight_sum = 0.0
    for slug in skills:
        weight = 1.0 if weights is None else weights.get(slug, 1.0)
        total += weight * values.get(slug, PRIOR_MASTERY)
        weight_sum += weight
    return total / weight_sum if weight_sum else PRIOR_MASTERY


@dataclass(frozen=True, slots=True)
class Observation:
    """One answer as the model sees it."""

    user_id: int
    skill: str
    question_id: str
    level: str
    correct: bool
    answered_at: datetime


def replay(
    observations: Iterable[Observation],
    skills: dict[tuple[int, str], SkillState] | None = None,
    questions: dict[str, QuestionState] | None = None,
) -> tuple[dict[tuple[int, str], SkillState], dict[str, QuestionState]]:
    """Apply observations in the order given to the states (empty dicts when None); returns both."""
    skills = {} if skills is None else skills
    questions = {} if questions is None else questions
    for obs in observations:
        key = (obs.user_id, obs.skill)
        question = questions.get(obs.question_id) or new_question(obs.level)
        skills[key], questions[obs.question_id] = update(
            skills.get(key) or SkillState(), question, obs.correct, obs.answered_at
        )
    return skills, questions
