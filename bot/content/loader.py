"""Load and cross-check the TOML content in ``data/``.

Every problem is reported with the file and the entry it is in, so that
``python -m bot content check`` can print a list a writer can act on.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from bot.content.schema import (
    INTERVIEW_MIN_FLAGGED,
    INTERVIEW_ROUND_MAX,
    INTERVIEW_ROUNDS,
    Achievement,
    AchievementFile,
    Challenge,
    ChallengeFile,
    Question,
    QuestionFile,
    Skill,
    SkillFile,
    Track,
    TrackFile,
)

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"

FileModel = TypeVar("FileModel", bound=BaseModel)


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with the content: where it is and what it is."""

    file: str
    entry: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} [{self.entry}]" if self.entry else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised when content does not validate; carries every problem found."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} content problem(s):\n" + "\n".join(map(str, problems)))


@dataclass
class RawContent:
    """Validated content before it is indexed, with where each entry came from."""

    skills: list[Skill] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    achievements: list[Achievement] = field(default_factory=list)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)
    problems: list[ContentProblem] = field(default_factory=list)


def _entry_name(table: str, index: int, raw: list[object]) -> str:
    item = raw[index] if index < len(raw) else None
    if isinstance(item, dict):
        for key in ("slug", "id"):
            if isinstance(item.get(key), str):
                return str(item[key])
    return f"{table} #{index + 1}"


def _parse_file(
    path: Path, model: type[FileModel], table: str, root: Path
) -> tuple[FileModel | None, list[ContentProblem]]:
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [ContentProblem(rel, "", f"not valid TOML: {exc}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        raw = data.get(table, []) if isinstance(data, dict) else []
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            entry = ""
            if len(loc) >= 2 and loc[0] == table and isinstance(loc[1], int):
                entry = _entry_name(table, loc[1], raw)
                loc = loc[2:]
            where = ".".join(str(p) for p in loc)
            message = f"{where}: {err['msg']}" if where else err["msg"]
            problems.append(ContentProblem(rel, entry, message))
        return None, problems


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root.parent))


# Where each kind of entry is read from: (kind, file pattern under the data directory,
# the file's model (its entries sit in the field named after the kind), the RawContent
# list they go to, the field that identifies an entry).
_SOURCES: tuple[tuple[str, str, type[BaseModel], str, str], ...] = (
    ("skill", "skills/*.toml", SkillFile, "skills", "slug"),
    ("question", "quiz/*.toml", QuestionFile, "questions", "id"),
    ("challenge", "challenges.toml", ChallengeFile, "challenges", "id"),
    ("track", "tracks.toml", TrackFile, "tracks", "slug"),
    ("achievement", "achievements.toml", AchievementFile, "achievements", "id"),
)


def read_content(data_dir: Path = DEFAULT_DATA_DIR) -> RawContent:
    """Parse every content file under ``data_dir`` and check references across them."""
    out = RawContent()
    for kind, pattern, model, entries, key in _SOURCES:
        for path in sorted(data_dir.glob(pattern)):
            parsed, problems = _parse_file(path, model, kind, data_dir)
            out.problems += problems
            for entry in getattr(parsed, kind) if parsed else ():
                getattr(out, entries).append(entry)
                out.origin.setdefault((kind, getattr(entry, key)), _relative(path, data_dir))
    out.problems += _cross_check(out)
    out.problems += _check_tracks(out)
    out.problems += _check_achievements(out)
    return out


def _check_achievements(raw: RawContent) -> list[ContentProblem]:
    """Unique ids and names; a category rule asks for no more skills than the category has."""
    problems = _duplicates("achievement", (a.id for a in raw.achievements), raw)
    names: set[str] = set()
    for achievement in raw.achievements:
        where = raw.origin.get(("achievement", achievement.id), "?")
        folded = achievement.name.casefold()
        if folded in names:
            problems.append(
                ContentProblem(where, achievement.id, f"name {achievement.name!r} is used twice")
            )
        names.add(folded)
        rule = achievement.rule
        if rule.category is not None and rule.threshold is not None:
            size = sum(1 for s in raw.skills if s.category == rule.category)
            if rule.threshold > size:
                problems.append(
                    ContentProblem(
                        where,
                        achievement.id,
                        f"rule.threshold: {rule.category.value} has only {size} skills",
                    )
                )
    return problems


def _duplicates(kind: str, keys: Iterable[str], raw: RawContent) -> list[ContentProblem]:
    seen: set[str] = set()
    problems = []
    for key in keys:
        if key in seen:
            problems.append(
                ContentProblem(raw.origin.get((kind, key), "?"), key, f"duplicate {kind} id")
            )
        seen.add(key)
    return problems


def _cross_check(raw: RawContent) -> list[ContentProblem]:
    problems = _duplicates("skill", (s.slug for s in raw.skills), raw)
    problems += _duplicates("question", (q.id for q in raw.questions), raw)
    problems += _duplicates("challenge", (c.id for c in raw.challenges), raw)
    slugs = {s.slug for s in raw.skills}

    def where(kind: str, key: str) -> str:
        return raw.origin.get((kind, key), "?")

    claimed: dict[str, str] = {}
    for skill in raw.skills:
        for term in (skill.slug, skill.name, *skill.aliases):
            folded = " ".join(term.casefold().split())
            owner = claimed.get(folded)
            if owner is not None and owner != skill.slug:
                problems.append(
                    ContentProblem(
                        where("skill", skill.slug),
                        skill.slug,
                        f"name or alias {term!r} is already claimed by {owner!r}",
                    )
                )
            claimed.setdefault(folded, skill.slug)
        for ref_field in ("prerequisites", "related"):
            for ref in getattr(skill, ref_field):
                if ref not in slugs:
                    problems.append(
                        ContentProblem(
                            where("skill", skill.slug),
                            skill.slug,
                            f"{ref_field}: unknown skill {ref!r}",
                        )
                    )
                elif ref == skill.slug:
                    problems.append(
                        ContentProblem(
                            where("skill", skill.slug), skill.slug, f"{ref_field}: refers to itself"
                        )
                    )
    graph = {s.slug: {p for p in s.prerequisites if p in slugs} for s in raw.skills}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = exc.args[1]
        problems.append(
            ContentProblem(
                where("skill", cycle[0]),
                cycle[0],
                "prerequisite cycle: " + " -> ".join(cycle),
            )
        )
    for question in raw.questions:
        if question.skill not in slugs:
            problems.append(
                ContentProblem(
                    where("question", question.id), question.id, f"unknown skill {question.skill!r}"
                )
            )
    for challenge in raw.challenges:
        for ref in challenge.skills:
            if ref not in slugs:
                problems.append(
                    ContentProblem(
                        where("challenge", challenge.id), challenge.id, f"unknown skill {ref!r}"
                    )
                )
    return problems


def interview_pool(track: Track, questions: Iterable[Question]) -> list[Question]:
    """The questions a mock interview for ``track`` draws from (see ``Track``)."""
    topics = set(track.interview_topics)
    return [q for q in questions if q.skill in topics]


def _check_tracks(raw: RawContent) -> list[ContentProblem]:
    """Tracks refer to real skills and challenges and can fill their interview rounds."""
    problems = _duplicates("track", (t.slug for t in raw.tracks), raw)
    slugs = {s.slug for s in raw.skills}
    challenge_ids = {c.id for c in raw.challenges}
    # Questions with a duplicate id are reported above; count each id once here.
    questions = list({q.id: q for q in raw.questions}.values())
    need = INTERVIEW_ROUNDS * INTERVIEW_ROUND_MAX
    for track in raw.tracks:
        where = raw.origin.get(("track", track.slug), "?")

        def problem(message: str, track: Track = track, where: str = where) -> None:
            problems.append(ContentProblem(where, track.slug, message))

        for list_name in ("core", "recommended"):
            for target in getattr(track, list_name):
                if target.skill not in slugs:
                    problem(f"{list_name}: unknown skill {target.skill!r}")
        for topic in track.interview_topics:
            if topic not in slugs:
                problem(f"interview_topics: unknown skill {topic!r}")
        for project in track.projects:
            if project.challenge is not None and project.challenge not in challenge_ids:
                problem(f"projects: unknown challenge {project.challenge!r}")
        pool = interview_pool(track, questions)
        flagged = sum(q.interview for q in pool)
        if len(pool) < need:
            problem(
                f"interview_topics have {len(pool)} questions; {INTERVIEW_ROUNDS} rounds "
                f"of {INTERVIEW_ROUND_MAX} need {need}"
            )
        if flagged < INTERVIEW_MIN_FLAGGED:
            problem(
                f"interview_topics have {flagged} interview = true questions; "
                f"at least {INTERVIEW_MIN_FLAGGED} are needed"
            )
    return problems
