"""The learner model on its own: direction, difficulty, recency, roll-ups, replay."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.services import mastery_model as model
from bot.services.mastery_model import Observation, QuestionState, SkillState

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MEDIUM = QuestionState(difficulty=0.0)


def _run(verdicts: list[bool], difficulties: list[float] | None = None) -> SkillState:
    state = SkillState()
    for i, right in enumerate(verdicts):
        question = QuestionState(difficulties[i] if difficulties else 0.0)
        state, _ = model.update(state, question, right, T0 + timedelta(hours=i))
    return state


def test_a_new_skill_sits_at_the_prior() -> None:
    assert model.mastery(None) == pytest.approx(0.2689, abs=1e-4)
    assert model.mastery(SkillState()) == model.PRIOR_MASTERY


def test_right_raises_and_wrong_lowers() -> None:
    start = SkillState(theta=0.3, evidence=4, answers=4, right=2, last_answered_at=T0)
    up, _ = model.update(start, MEDIUM, True, T0)
    down, _ = model.update(start, MEDIUM, False, T0)
    assert model.mastery(down) < model.mastery(start) < model.mastery(up)
    assert (up.answers, up.right, down.answers, down.right) == (5, 3, 5, 2)


@pytest.mark.parametrize("seed", range(20))
def test_monotone_turning_any_wrong_answer_right_never_lowers_mastery(seed: int) -> None:
    rng = random.Random(seed)
    verdicts = [rng.random() < 0.5 for _ in range(30)]
    difficulties = [rng.choice([-1.0, 0.0, 1.0]) for _ in verdicts]
    base = model.mastery(_run(verdicts, difficulties))
    for i, right in enumerate(verdicts):
        if not right:
            flipped = [*verdicts[:i], True, *verdicts[i + 1 :]]
            assert model.mastery(_run(flipped, difficulties)) > base


def test_more_right_answers_mean_more_mastery() -> None:
    values = [model.mastery(_run([True] * k + [False] * (10 - k))) for k in range(11)]
    assert values == sorted(values) and len(set(values)) == 11


def test_a_harder_question_moves_it_more_on_a_right_answer() -> None:
    start = SkillState(theta=0.0, evidence=3, answers=3, right=2, last_answered_at=T0)
    easy, _ = model.update(start, QuestionState(-1.0), True, T0)
    hard, _ = model.update(start, QuestionState(1.0), True, T0)
    assert hard.theta - start.theta > easy.theta - start.theta > 0
    # and an easy question moves it more on a wrong answer
    easy_miss, _ = model.update(start, QuestionState(-1.0), False, T0)
    hard_miss, _ = model.update(start, QuestionState(1.0), False, T0)
    assert start.theta - easy_miss.theta > start.theta - hard_miss.theta > 0


def test_question_difficulty_calibrates_from_answers_with_a_smaller_step() -> None:
    question = model.new_question("intermediate")
    member = SkillState(theta=0.0, evidence=50, answers=50, right=25, last_answered_at=T0)
    after_member, after_question = model.update(member, question, False, T0)
    assert after_question.difficulty > question.difficulty  # missed: looks harder
    assert after_question.answers == 1
    assert after_member.theta < member.theta
    assert all(model.question_k(n) < model.member_k(n) for n in range(0, 500, 25))
    assert [model.seed_difficulty(level) for level in ("beginner", "intermediate", "advanced")] == [
        -1.0,
        0.0,
        1.0,
    ]


def test_the_step_shrinks_with_evidence_but_never_freezes() -> None:
    steps = [model.member_k(n) for n in range(0, 200, 10)]
    assert steps == sorted(steps, reverse=True)
    assert steps[0] == model.MEMBER_K_START and steps[-1] > model.MEMBER_K_MIN


def test_recency_halves_the_distance_from_the_prior_each_half_life() -> None:
    strong = _run([True] * 8)
    last = strong.last_answered_at
    assert last is not None
    later = last + timedelta(days=model.HALF_LIFE_DAYS)
    faded = model.decayed(strong, later)
    assert faded.theta - model.PRIOR_THETA == pytest.approx((strong.theta - model.PRIOR_THETA) / 2)
    assert faded.evidence == pytest.approx(strong.evidence / 2)
    assert (faded.answers, faded.right) == (strong.answers, strong.right)
    assert model.mastery(strong, later) < model.mastery(strong, last)
    weak = _run([False] * 8)
    assert model.mastery(weak, later) > model.mastery(weak, last)  # fades up towards the prior


def test_rollup_counts_unseen_skills_at_the_prior() -> None:
    assert model.rollup({"sql": 0.9}, ["sql"]) == 0.9
    assert model.rollup({"sql": 0.9}, ["sql", "git"]) == pytest.approx(
        (0.9 + model.PRIOR_MASTERY) / 2
    )
    assert model.rollup({"sql": 0.9}, ["sql", "git"], {"sql": 3, "git": 1}) == pytest.approx(
        (3 * 0.9 + model.PRIOR_MASTERY) / 4
    )
    assert model.rollup({}, []) == model.PRIOR_MASTERY


def test_replay_is_deterministic_and_resumable() -> None:
    rng = random.Random(3)
    observations = [
        Observation(
            user_id=rng.choice([1, 2, 3]),
            skill=rng.choice(["sql", "git"]),
            question_id=f"q{rng.randrange(8)}",
            level=rng.choice(["beginner", "intermediate", "advanced"]),
            correct=rng.random() < 0.6,
            answered_at=T0 + timedelta(hours=3 * i),
        )
        for i in range(200)
    ]
    once = model.replay(observations)
    assert model.replay(observations) == once
    skills, questions = model.replay(observations[:120])
    assert model.replay(observations[120:], skills, questions) == once
