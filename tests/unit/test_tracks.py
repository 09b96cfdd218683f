"""Career tracks and interview questions: the shipped ones hold up, and broken ones are caught."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import PROJECT_ROOT
from bot.content.catalogue import Content
from bot.content.loader import interview_pool, read_content
from bot.content.schema import (
    INTERVIEW_MIN_FLAGGED,
    INTERVIEW_ROUND_MAX,
    INTERVIEW_ROUNDS,
    SkillTarget,
    Track,
)

EXPECTED_TRACKS = {
    "junior-backend",
    "python-backend",
    "node-typescript-backend",
    "java-spring-backend",
    "go-backend",
    "api-integration",
    "platform-backend",
    "data-intensive-backend",
    "security-backend",
}


def test_shipped_tracks_load(content: Content) -> None:
    assert set(content.tracks) >= EXPECTED_TRACKS
    challenge_ids = {c.id for c in content.challenges}
    for track in content.tracks.values():
        assert len(track.core) >= 6, track.slug
        for target in track.targets:
            assert target.skill in content.skills, (track.slug, target.skill)
            assert 0 < target.junior <= target.mid <= 1, (track.slug, target.skill)
        assert all(t in content.skills for t in track.interview_topics), track.slug
        linked = [p.challenge for p in track.projects if p.challenge]
        assert linked and set(linked) <= challenge_ids, track.slug
        assert track.sources and track.resources[0].official, track.slug


def test_every_track_fills_three_interview_rounds_without_repeats(content: Content) -> None:
    for slug in content.tracks:
        pool = content.interview_questions(slug)
        ids = [q.id for q in pool]
        assert len(ids) == len(set(ids)), slug
        assert len(pool) >= INTERVIEW_ROUNDS * INTERVIEW_ROUND_MAX, slug
        flagged = [q for q in pool if q.interview]
        assert len(flagged) >= INTERVIEW_MIN_FLAGGED, slug
        # Interview questions come first, so a round prefers them.
        assert pool[: len(flagged)] == flagged, slug


def test_interview_file_follows_its_conventions(content: Content) -> None:
    raw = tomllib.loads((PROJECT_ROOT / "data/quiz/interview.toml").read_text(encoding="utf-8"))
    questions = [content.questions[q["id"]] for q in raw["question"]]
    assert len(questions) >= 60
    for q in questions:
        assert q.interview, q.id
        assert q.id.startswith(f"interview-{q.skill}-"), q.id
    # The right choice is strictly the longest in at most a quarter of the questions.
    longest = 0
    for q in questions:
        lengths = [len(c) for c in q.choices]
        right = lengths[q.answer]
        longest += right == max(lengths) and lengths.count(right) == 1
    assert longest <= 0.25 * len(questions), longest
    positions = [q.answer for q in questions]
    assert max(positions.count(p) for p in set(positions)) < 0.4 * len(positions)
    for q in questions:
        text = " ".join([q.prompt, *q.choices]).casefold()
        assert not re.search(r"(all|none) of the above|(first|second|last) (choice|option)", text)
        # A skill's name or alias never gives the answer away by appearing only in it.
        skill = content.skills[q.skill]
        right = q.choices[q.answer].casefold()
        rest = " ".join([q.prompt, *(c for i, c in enumerate(q.choices) if i != q.answer)])
        for name in (skill.name, *skill.aliases):
            folded = name.casefold()
            assert folded not in right or folded in rest.casefold(), (q.id, name)


def test_interview_pool_is_the_questions_on_the_topics(content: Content) -> None:
    track = content.tracks["api-integration"]
    pool = interview_pool(track, content.questions.values())
    assert {q.skill for q in pool} == set(track.interview_topics)


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", target)
    return target


TRACK = """
[[track]]
slug = "{slug}"
name = "Validator test track"
summary = "A track that exists only to check that the content validator catches mistakes."
core = [
    {{ skill = "{core}", junior = 0.6, mid = 0.8 }},
    {{ skill = "rest", junior = 0.6, mid = 0.8 }},
    {{ skill = "sql", junior = 0.6, mid = 0.8 }},
    {{ skill = "git", junior = 0.6, mid = 0.8 }},
    {{ skill = "debugging", junior = 0.6, mid = 0.8 }},
    {{ skill = "unit-testing", junior = 0.6, mid = 0.8 }},
]
interview_topics = [{topics}]
sources = [0]

[[track.projects]]
title = "A test project"
description = "Only here so the validator has a project to check."
challenge = "{challenge}"

[[track.projects]]
title = "Another test project"
description = "Only here so the validator has a second project to check."

[[track.resources]]
title = "Docs"
url = "https://example.org/"
official = true
"""

GOOD_TOPICS = '"http", "rest", "indexing", "debugging", "authentication", "docker"'


def _track(**kwargs: str) -> str:
    values = {
        "slug": "zz-track",
        "core": "http",
        "topics": GOOD_TOPICS,
        "challenge": "url-shortener-cache",
    }
    return TRACK.format(**(values | kwargs))


def _track_problems(tmp_path: Path, snippet: str) -> list[str]:
    data = _copy_data(tmp_path)
    path = data / "tracks.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + snippet, encoding="utf-8")
    problems = read_content(data).problems
    assert all(p.file == "data/tracks.toml" for p in problems), problems
    return [f"{p.entry}: {p.message}" for p in problems]


def test_a_valid_synthetic_track_passes(tmp_path: Path) -> None:
    assert _track_problems(tmp_path, _track()) == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (_track(core="no-such-skill"), "core: unknown skill 'no-such-skill'"),
        (_track(topics=GOOD_TOPICS + ', "no-such-topic"'), "interview_topics: unknown skill"),
        (_track(challenge="no-such-challenge"), "projects: unknown challenge 'no-such-challenge'"),
        (_track(slug="go-backend"), "duplicate track id"),
        # Three skills with only their regular quiz questions: too few for three rounds.
        (_track(topics='"ftp", "insomnia", "apigee"'), "3 rounds of 8 need 24"),
        (_track(topics='"ftp", "insomnia", "apigee"'), "interview = true questions"),
        (
            _track().replace('{ skill = "http", junior = 0.6, mid = 0.8 },', ""),
            "at least 6 items",
        ),
        (
            _track().replace(
                '{ skill = "http", junior = 0.6, mid = 0.8 }',
                '{ skill = "http", junior = 0.9, mid = 0.5 }',
            ),
            "below the junior target",
        ),
        (_track(core="rest"), "listed twice"),
    ],
)
def test_track_validator(tmp_path: Path, snippet: str, expected: str) -> None:
    problems = _track_problems(tmp_path, snippet)
    assert any(expected in p for p in problems), problems


def test_track_needs_interview_flagged_questions(tmp_path: Path) -> None:
    # Enough plain questions for three rounds, but none written as interview questions.
    topics = '"sql", "git", "mongodb", "linux", "redis", "django"'
    problems = _track_problems(tmp_path, _track(topics=topics))
    assert any("0 interview = true questions" in p for p in problems), problems
    assert not any("rounds of" in p for p in problems), problems


def test_targets_are_probabilities() -> None:
    with pytest.raises(ValidationError):
        SkillTarget(skill="http", junior=60, mid=80)
    track = Track.model_validate(tomllib.loads(_track())["track"][0])
    assert [t.skill for t in track.targets][:2] == ["http", "rest"]
