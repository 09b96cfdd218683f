"""The loaded content, indexed for the services: skills, questions, challenges, tracks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path

from bot.content.loader import DEFAULT_DATA_DIR, ContentError, interview_pool, read_content
from bot.content.schema import Achievement, Category, Challenge, Question, Skill, Track
from bot.content.search import SkillIndex

SOURCE_COUNT = 5


@dataclass
class Content:
    """Everything in ``data/``, validated and indexed. Built once at start."""

    skills: dict[str, Skill]
    questions: dict[str, Question]
    challenges: list[Challenge]
    tracks: dict[str, Track] = field(default_factory=dict)
    achievements: dict[str, Achievement] = field(default_factory=dict)
    index: SkillIndex = field(init=False)
    questions_by_skill: dict[str, list[Question]] = field(init=False)

    def __post_init__(self) -> None:
        self.index = SkillIndex(self.skills.values())
        by_skill: dict[str, list[Question]] = defaultdict(list)
        for question in self.questions.values():
            by_skill[question.skill].append(question)
        self.questions_by_skill = dict(by_skill)

    def skills_in(self, category: Category) -> list[Skill]:
        """The skills of one category, beginner first, then by name."""
        order = {"beginner": 0, "intermediate": 1, "advanced": 2}
        return sorted(
            (s for s in self.skills.values() if s.category == category),
            key=lambda s: (order[s.level], s.name.casefold()),
        )

    def learning_path(self, goal: str) -> list[Skill]:
        """Every prerequisite of ``goal``, transitively, in a valid learning order, goal last."""
        needed: dict[str, set[str]] = {}
        stack = [goal]
        while stack:
            slug = stack.pop()
            if slug in needed:
                continue
            prereqs = set(self.skills[slug].prerequisites)
            needed[slug] = prereqs
            stack.extend(prereqs)
        sorter = TopologicalSorter(needed)
        sorter.prepare()
        ordered: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=lambda s: self.skills[s].name.casefold())
            ordered.extend(ready)
            sorter.done(*ready)
        return [self.skills[slug] for slug in ordered]

    def questions_for_topic(self, topic: str | None) -> list[Question]:
        """Questions of a skill slug, of a category, or of everything when ``topic`` is None."""
        if topic is None:
            return list(self.questions.values())
        if topic in self.skills:
            return list(self.questions_by_skill.get(topic, []))
        try:
            category = Category(topic)
        except ValueError:
            return []
        return [q for q in self.questions.values() if self.skills[q.skill].category == category]

    def interview_questions(self, track: str) -> list[Question]:
        """The interview pool of a track: ``interview = true`` questions first, then the rest."""
        pool = interview_pool(self.tracks[track], self.questions.values())
        return sorted(pool, key=lambda q: not q.interview)


def load_content(data_dir: Path = DEFAULT_DATA_DIR) -> Content:
    """Load ``data/``; raise ContentError listing every problem if anything is wrong."""
    raw = read_content(data_dir)
    if raw.problems:
        raise ContentError(raw.problems)
    return Content(
        skills={s.slug: s for s in raw.skills},
        questions={q.id: q for q in raw.questions},
        challenges=raw.challenges,
        tracks={t.slug: t for t in raw.tracks},
        achievements={a.id: a for a in raw.achievements},
    )
