"""Pydantic schemas for the content in ``data/``: skills, quiz questions, challenges.

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
