"""Pydantic schemas for the content in ``data/``: skills, quiz questions, challenges, tracks.

Field limits are chosen so that every piece fits Discord's embed and component
limits without truncation (embed field value: 1024 characters, button label:
80, select option label: 100, embed description: 4096).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    field_validator,
    model_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Category(StrEnum):
    """The fixed list of skill categories, in the order the catalogue shows them."""

    FUNDAMENTALS = "fundamentals"
    LANGUAGES = "languages"
    FRAMEWORKS = "frameworks"
    DATABASES = "databases"
    APIS = "apis"
    SERVERS_NETWORKING = "servers-networking"
    CLOUD = "cloud"
    DEVOPS_CICD = "devops-cicd"
    VERSION_CONTROL = "version-control"
    SECURITY = "security"
    TESTING_DEBUGGING = "testing-debugging"
    ARCHITECTURE = "architecture"
    SOFT_SKILLS = "soft-skills"

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``Servers & networking``."""
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.FUNDAMENTALS: "Fundamentals",
    Category.LANGUAGES: "Languages",
    Category.FRAMEWORKS: "Frameworks",
    Category.DATABASES: "Databases",
    Category.APIS: "APIs",
    Category.SERVERS_NETWORKING: "Servers & networking",
    Category.CLOUD: "Cloud",
    Category.DEVOPS_CICD: "DevOps & CI/CD",
    Category.VERSION_CONTROL: "Version control",
    Category.SECURITY: "Security",
    Category.TESTING_DEBUGGING: "Testing & debugging",
    Category.ARCHITECTURE: "Architecture",
    Category.SOFT_SKILLS: "Soft skills",
}


class Level(StrEnum):
    """How far into a backend learning journey a skill or question sits."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resource(_Strict):
    """A link to learn from; the official documentation comes first on every card."""

    title: ShortText
    url: HttpUrl
    official: bool = False


class Skill(_Strict):
    """One card of the skill catalogue."""

    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    aliases: list[Annotated[str, StringConstraints(min_length=1, max_length=60)]] = []
    category: Category
    level: Level
    summary: Annotated[str, StringConstraints(min_length=20, max_length=350)]
    why: Annotated[str, StringConstraints(min_length=20, max_length=500)]
    concepts: Annotated[list[ShortText], Field(min_length=3, max_length=8)]
    prerequisites: list[Slug] = []
    related: list[Slug] = []
    resources: Annotated[list[Resource], Field(min_length=1, max_length=5)]
    sources: list[Annotated[int, Field(ge=0, le=4)]] = []

    @field_validator("resources")
    @classmethod
    def _official_first(cls, resources: list[Resource]) -> list[Resource]:
        if not resources[0].official:
            raise ValueError("the first resource must be the official documentation")
        return resources

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, sources: list[int]) -> list[int]:
        if len(set(sources)) != len(sources):
            raise ValueError("a source article is listed twice")
        return sorted(sources)


class SkillFile(_Strict):
    """A ``data/skills/*.toml`` file: a list of ``[[skill]]`` tables."""

    skill: list[Skill]


Choice = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=75)]


class Question(_Strict):
    """A multiple-choice question; ``answer`` indexes ``choices`` as written in the file."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=60)]
    skill: Slug
    difficulty: Level
    prompt: Annotated[str, StringConstraints(min_length=10, max_length=400)]
    choices: Annotated[list[Choice], Field(min_length=2, max_length=4)]
    answer: Annotated[int, Field(ge=0)]
    explanation: Annotated[str, StringConstraints(min_length=20, max_length=700)]
    source: HttpUrl
    interview: bool = False
    """Written as a job-interview scenario ("what would you do"); see ``Track``."""

    @field_validator("choices")
    @classmethod
    def _distinct_choices(cls, choices: list[str]) -> list[str]:
        folded = [c.casefold() for c in choices]
        if len(set(folded)) != len(folded):
            raise ValueError("two choices are the same")
        return choices

    @model_validator(mode="after")
    def _answer_in_range(self) -> Question:
        if self.answer >= len(self.choices):
            raise ValueError(
                f"answer index {self.answer} is out of range for {len(self.choices)} choices"
            )
        return self


class QuestionFile(_Strict):
    """A ``data/quiz/*.toml`` file: a list of ``[[question]]`` tables."""

    question: list[Question]


ListItem = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=160)]


class Challenge(_Strict):
    """A weekly hands-on challenge."""

    id: Slug
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=80)]
    difficulty: Level
    skills: Annotated[list[Slug], Field(min_length=1, max_length=8)]
    goal: Annotated[str, StringConstraints(min_length=20, max_length=600)]
    checklist: Annotated[list[ListItem], Field(min_length=3, max_length=8)]
    stretch: Annotated[list[ListItem], Field(min_length=1, max_length=4)]


class ChallengeFile(_Strict):
    """``data/challenges.toml``: a list of ``[[challenge]]`` tables."""

    challenge: list[Challenge]


# ---------------------------------------------------------------- career tracks

INTERVIEW_ROUND_MAX = 8
"""The most questions one mock interview round draws (a round has 5 to 8)."""

INTERVIEW_ROUNDS = 3
"""How many rounds every track must fill without repeating a question."""

INTERVIEW_MIN_FLAGGED = INTERVIEW_ROUND_MAX
"""How many ``interview = true`` questions a track needs: at least one full round."""

Target = Annotated[float, Field(ge=0.0, le=1.0)]
"""A mastery target: the probability (0 to 1) the learner model should give for the skill."""


class SkillTarget(_Strict):
    """One skill a track asks for, with the mastery it needs at each career step.

    Targets are on the learner model's own scale, a 0-1 probability that the member
    answers a typical question on the skill correctly, so a service compares
    ``mastery >= target`` directly. As a guide: 0.5 means "has met it and can follow
    along", 0.6 "uses it with help", 0.7 "uses it alone on everyday work", 0.8
    "can explain the trade-offs and debug it", 0.9 "others come to them for it".
    ``mid`` is never below ``junior``.
    """

    skill: Slug
    junior: Target
    mid: Target

    @model_validator(mode="after")
    def _mid_not_below_junior(self) -> SkillTarget:
        if self.mid < self.junior:
            raise ValueError(f"mid target {self.mid} is below the junior target {self.junior}")
        return self


class Project(_Strict):
    """A portfolio project for a track; ``challenge`` names a ``data/challenges.toml`` id."""

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=80)]
    description: Annotated[str, StringConstraints(min_length=20, max_length=500)]
    challenge: Slug | None = None


class Track(_Strict):
    """A career track: what the role does, the skills it needs and how to prepare.

    ``core`` skills are what a hiring team expects for the role; ``recommended``
    ones make a candidate stand out. A skill sits in one of the two lists, once.

    The mock interview draws its questions from ``interview_topics``: every
    question whose skill is one of the topics is in the track's interview pool,
    and the questions written as interview scenarios (``interview = true``) are
    drawn first. ``content check`` requires, for every track, a pool of at least
    ``INTERVIEW_ROUNDS * INTERVIEW_ROUND_MAX`` distinct questions (three full
    rounds without a repeat) of which at least ``INTERVIEW_MIN_FLAGGED`` are
    interview questions.
    """

    slug: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=60)]
    summary: Annotated[str, StringConstraints(min_length=40, max_length=600)]
    core: Annotated[list[SkillTarget], Field(min_length=6, max_length=20)]
    recommended: Annotated[list[SkillTarget], Field(max_length=20)] = []
    projects: Annotated[list[Project], Field(min_length=2, max_length=4)]
    interview_topics: Annotated[list[Slug], Field(min_length=3, max_length=20)]
    sources: list[Annotated[int, Field(ge=0, le=4)]] = []
    resources: Annotated[list[Resource], Field(min_length=1, max_length=5)]

    @field_validator("sources")
    @classmethod
    def _unique_sources(cls, sources: list[int]) -> list[int]:
        if len(set(sources)) != len(sources):
            raise ValueError("a source article is listed twice")
        return sorted(sources)

    @field_validator("interview_topics")
    @classmethod
    def _unique_topics(cls, topics: list[str]) -> list[str]:
        if len(set(topics)) != len(topics):
            raise ValueError("an interview topic is listed twice")
        return topics

    @model_validator(mode="after")
    def _each_skill_once(self) -> Track:
        seen: set[str] = set()
        for target in (*self.core, *self.recommended):
            if target.skill in seen:
                raise ValueError(f"skill {target.skill!r} is listed twice in core/recommended")
            seen.add(target.skill)
        return self

    @property
    def targets(self) -> list[SkillTarget]:
        """Core then recommended targets."""
        return [*self.core, *self.recommended]


class TrackFile(_Strict):
    """``data/tracks.toml``: a list of ``[[track]]`` tables."""

    track: list[Track]


# ---------------------------------------------------------------- achievements


class RuleKind(StrEnum):
    """What an achievement's rule counts; each has one query in ``services.achievements``."""

    ANSWERS = "answers"
    """Quiz answers of any kind (daily, practice, review)."""
    DAILY_ANSWERS = "daily_answers"
    """Answers to a server's daily question."""
    RIGHT_ANSWERS = "right_answers"
    """Right answers of any kind."""
    STREAK_DAYS = "streak_days"
    """The member's best streak, in days."""
    STUDY_MINUTES = "study_minutes"
    """Study time logged, in minutes."""
    STUDY_SESSIONS = "study_sessions"
    """Study sessions logged."""
    CHALLENGES_DONE = "challenges_done"
    """Weekly challenges marked done."""
    SKILLS_LEARNED = "skills_learned"
    """Skills marked learned, in any category."""
    SKILLS_LEARNED_IN_CATEGORY = "skills_learned_in_category"
    """Skills learned in ``category``; without a threshold, every skill of it."""
    FREEZES_USED = "freezes_used"
    """Streak freezes that saved a streak."""
    PERFECT_WEEKS = "perfect_weeks"
    """Monday-to-Sunday weeks (local) with activity on all seven days."""
    ACTIVE_DAYS = "active_days"
    """Distinct local days with any counted activity."""
    WEEKLY_RANK = "weekly_rank"
    """Finished a week at rank ``threshold`` or better on a server's points board."""


class AchievementRule(_Strict):
    """A machine-checkable condition: ``kind`` reaches ``threshold`` (rank: at most)."""

    kind: RuleKind
    threshold: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    category: Category | None = None

    @model_validator(mode="after")
    def _fits_the_kind(self) -> AchievementRule:
        in_category = self.kind == RuleKind.SKILLS_LEARNED_IN_CATEGORY
        if in_category != (self.category is not None):
            raise ValueError("category is needed by, and only by, skills_learned_in_category")
        if self.threshold is None and not in_category:
            raise ValueError(f"{self.kind.value} needs a threshold")
        return self


class Achievement(_Strict):
    """One achievement: unlocked once per member when its rule first holds."""

    id: Slug
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=60)]
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=200)
    ]
    emoji: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8)]
    rule: AchievementRule


class AchievementFile(_Strict):
    """``data/achievements.toml``: a list of ``[[achievement]]`` tables."""

    achievement: Annotated[list[Achievement], Field(min_length=1)]
