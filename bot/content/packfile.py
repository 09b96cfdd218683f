"""Server question packs as files: TOML, JSON or CSV in the shape of ``data/quiz/*.toml``.

A pack file is parsed and every question validated by the same ``Question`` schema
as the shipped ones, plus the fairness checks that apply to one question (a
giveaway word, a positional reference) and duplicate prompts. Problems name the
line (TOML, JSON) or row (CSV) and the field, so a writer can fix the file.

The skill of a pack question must be a skill slug of the catalogue: the category
rotation of the daily question, topic filters, practice by topic, the cards and the
learner model all work per skill, so a server-defined topic would need a second
category system for one feature. A writer who needs a new topic can pick the
closest skill; an unknown slug gets suggestions.

Everything here is pure: no database, no Discord.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from bot.content.catalogue import Content
from bot.content.fairness import fold_prompt, giveaway_words, positional_references
from bot.content.schema import Question

MAX_FILE_BYTES = 1024 * 1024
"""The largest pack file accepted (1 MB: about 1,500 questions of the longest kind)."""

MAX_PACK_QUESTIONS = 500
"""The most questions in one pack."""

MAX_SERVER_QUESTIONS = 2000
"""The most pack questions one server may have in all its packs."""

MAX_PROBLEMS_SHOWN = 8
"""How many problems an error message lists before "and N more"."""

FORMATS = ("toml", "json", "csv")
CSV_COLUMNS = (
    "id",
    "skill",
    "difficulty",
    "prompt",
    "choice_1",
    "choice_2",
    "choice_3",
    "choice_4",
    "answer",
    "explanation",
    "source",
    "interview",
)
CSV_REQUIRED = ("id", "skill", "difficulty", "prompt", "choice_1", "choice_2", "answer")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""A CSV cell starting with one of these is refused; a leading ``'`` marks text (and is dropped),
as in spreadsheets and in the bot's own CSV exports."""
UNSAFE_TEXT = re.compile(
    r"@everyone|@here|<@[!&]?\d+>|<#\d+>|\]\(\s*<?https?://|discord(?:\.gg|(?:app)?\.com/invite)/",
    re.IGNORECASE,
)
"""Pack questions are posted in shared channels: no pings, channel links, invites or
masked links (``[text](url)``), whatever ``allowed_mentions`` would do."""
PACK_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PackFileError(ValueError):
    """The file cannot be imported; ``problems`` say where and why, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems

    def summary(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        """The first problems, one per line, and how many more there are."""
        shown = self.problems[:limit]
        rest = len(self.problems) - len(shown)
        lines = [f"• {p}" for p in shown]
        if rest:
            lines.append(f"…and {rest} more.")
        return "\n".join(lines)


@dataclass(frozen=True)
class PackFile:
    """A validated pack: its questions in file order (ids as written in the file)."""

    format: str
    questions: list[Question]


def pack_name(filename: str, given: str | None = None) -> str:
    """The pack's name: ``given`` or the file's stem, as a slug (``Week 3.toml`` → ``week-3``)."""
    raw = given if given is not None else PurePath(filename).stem
    slug = re.sub(r"[^a-z0-9]+", "-", raw.casefold()).strip("-")[:40].strip("-")
    if not slug or not PACK_NAME.match(slug):
        raise PackFileError(["The pack needs a name of letters and digits (for example `week-3`)."])
    return slug


def file_format(filename: str) -> str:
    """``toml``, ``json`` or ``csv`` from the file name, else a PackFileError."""
    suffix = PurePath(filename).suffix.casefold().lstrip(".")
    if suffix not in FORMATS:
        raise PackFileError(
            [f"`{filename[:60]}` is not a .toml, .json or .csv file; packs come in those three."]
        )
    return suffix


def check_size(size: int) -> None:
    """Refuse a file over ``MAX_FILE_BYTES`` before it is even downloaded."""
    if size > MAX_FILE_BYTES:
        raise PackFileError(
            [
                f"The file is {size / 1024 / 1024:.2f} MB; a pack file may be at most "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it into several packs."
            ]
        )


def check_count(count: int, existing: int = 0) -> None:
    """Refuse a pack over ``MAX_PACK_QUESTIONS`` or a server over ``MAX_SERVER_QUESTIONS``."""
    if count == 0:
        raise PackFileError(["The file has no questions."])
    if count > MAX_PACK_QUESTIONS:
        raise PackFileError(
            [f"The pack has {count:,} questions; a pack holds at most {MAX_PACK_QUESTIONS:,}."]
        )
    if existing + count > MAX_SERVER_QUESTIONS:
        raise PackFileError(
            [
                f"This server has {existing:,} pack questions; {count:,} more would pass the "
                f"limit of {MAX_SERVER_QUESTIONS:,}. Delete a pack first (`/mod pack delete`)."
            ]
        )


def parse_pack(filename: str, data: bytes, content: Content) -> PackFile:
    """Parse and validate a pack file; raises PackFileError naming every problem found."""
    check_size(len(data))
    kind = file_format(filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PackFileError(
            [f"The file is not UTF-8 text (byte {error.start} cannot be read)."]
        ) from None
    if kind == "toml":
        raws, lines = _read_toml(text)
    elif kind == "json":
        raws, lines = _read_json(text)
    else:
        raws, lines = _read_csv(text)
    check_count(len(raws))
    return PackFile(kind, validate_questions(raws, lines, content, kind))


# -- reading ----------------------------------------------------------------------------------


class _Lines:
    """Line numbers of questions and their fields in the original text."""

    def __init__(
        self, starts: list[int | None], fields: list[dict[str, int]], unit: str = "line"
    ) -> None:
        self.starts = starts
        self.fields = fields
        self.unit = unit

    def where(self, index: int, field: str | None) -> str:
        line = None
        if field is not None and index < len(self.fields):
            line = self.fields[index].get(field)
        if line is None and index < len(self.starts):
            line = self.starts[index]
        return f"{self.unit} {line}" if line is not None else f"question {index + 1}"


def _read_toml(text: str) -> tuple[list[Any], _Lines]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PackFileError([f"The TOML does not parse: {error}."]) from None
    raws = _question_list(document, "a `[[question]]` table")
    starts: list[int | None] = []
    fields: list[dict[str, int]] = []
    header = re.compile(r"^\s*\[\[\s*question\s*\]\]")
    key = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            starts.append(number)
            fields.append({})
        elif fields and (match := key.match(line)):
            fields[-1].setdefault(match.group(1), number)
    return raws, _Lines(starts, fields)


def _read_json(text: str) -> tuple[list[Any], _Lines]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PackFileError(
            [f"The JSON does not parse: {error.msg} at line {error.lineno}, column {error.colno}."]
        ) from None
    if isinstance(document, list):
        document = {"question": document}
    raws = _question_list(document, 'a `"question"` list')
    # JSON has no positions after parsing: find each question's "id" and its fields after it.
    starts: list[int | None] = []
    fields: list[dict[str, int]] = []
    position = 0
    for raw in raws:
        qid = raw.get("id") if isinstance(raw, dict) else None
        found = -1
        if isinstance(qid, str):
            match = re.compile(r'"id"\s*:\s*' + re.escape(json.dumps(qid))).search(text, position)
            found = match.start() if match else -1
        if found < 0:
            starts.append(None)  # unknown; ``where`` falls back to the question number
            fields.append({})
            continue
        position = found + 1
        line = text.count("\n", 0, found) + 1
        starts.append(line)
        located: dict[str, int] = {}
        window_end = text.find('"id"', position)
        window = text[found : window_end if window_end > 0 else len(text)]
        for name in raw:
            at = window.find(json.dumps(name))
            located[name] = line + window.count("\n", 0, at) if at >= 0 else line
        fields.append(located)
    return raws, _Lines(starts, fields)


def _read_csv(text: str) -> tuple[list[Any], _Lines]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().casefold() for h in next(reader)]
    except StopIteration:
        raise PackFileError(["The CSV file is empty."]) from None
    except csv.Error as error:
        raise PackFileError([f"The CSV does not parse at row 1: {error}."]) from None
    unknown = [h for h in header if h not in CSV_COLUMNS]
    missing = [c for c in CSV_REQUIRED if c not in header]
    problems = []
    if unknown:
        problems.append(f"row 1: unknown column(s) {', '.join(unknown[:5])}")
    if missing:
        problems.append(f"row 1: missing column(s) {', '.join(missing)}")
    if problems:
        raise PackFileError([*problems, f"The columns are: {', '.join(CSV_COLUMNS)}."])
    raws: list[Any] = []
    starts: list[int | None] = []
    formulas: list[str] = []
    row_number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise PackFileError(
                [f"The CSV does not parse at row {row_number + 1}: {error}."]
            ) from None
        row_number += 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            formulas.append(f"row {row_number}: {len(cells)} cells for {len(header)} columns")
            continue
        row = dict(zip(header, cells, strict=False))
        for column, cell in row.items():
            if cell.startswith(FORMULA_PREFIXES):
                formulas.append(
                    f"row {row_number}, column `{column}`: a cell may not start with "
                    f"{cell[0]!r} (spreadsheets run it as a formula); to mean the text, "
                    f"write it as '{cell[:12]}"
                )
            elif cell.startswith("'"):
                row[column] = cell[1:]  # the spreadsheet way of saying "this is text"
        raws.append(_csv_question(row))
        starts.append(row_number)
        if len(raws) > MAX_PACK_QUESTIONS:
            break  # the count check refuses it; no need to read 10,000 rows
    if formulas:
        raise PackFileError(formulas)
    return raws, _Lines(starts, [{} for _ in starts], unit="row")


def _csv_question(row: dict[str, str]) -> dict[str, Any]:
    question: dict[str, Any] = {
        k: v.strip() for k, v in row.items() if not k.startswith("choice_") and v.strip()
    }
    question["choices"] = [
        row[f"choice_{i}"] for i in range(1, 5) if row.get(f"choice_{i}", "").strip()
    ]
    if "answer" in question:
        text = question["answer"]
        question["answer"] = int(text) if text.isdigit() else text
    if "interview" in question:
        question["interview"] = question["interview"].casefold() in {"true", "yes", "1"}
    return question


def _question_list(document: Any, shape: str) -> list[Any]:
    if not isinstance(document, dict) or set(document) - {"question"}:
        extra = sorted(set(document) - {"question"}) if isinstance(document, dict) else []
        hint = f" (found `{extra[0]}`)" if extra else ""
        raise PackFileError([f"A pack file holds only questions, as {shape}{hint}."])
    raws = document.get("question", [])
    if not isinstance(raws, list):
        raise PackFileError([f"A pack file holds its questions as {shape}."])
    return raws


# -- validating -------------------------------------------------------------------------------


def validate_questions(
    raws: list[Any], lines: _Lines, content: Content, kind: str = "toml"
) -> list[Question]:
    """Every question through the schema, the skill check and the per-question fairness checks."""
    problems: list[str] = []
    questions: list[Question] = []
    seen_ids: dict[str, int] = {}
    shipped_prompts = {fold_prompt(q.prompt) for q in content.questions.values()}
    seen_prompts: dict[str, int] = {}
    for index, raw in enumerate(raws):
        label = _label(index, raw)
        if not isinstance(raw, dict):
            problems.append(f"{lines.where(index, None)}: {label} is not a table of fields")
            continue
        try:
            question = Question.model_validate(raw)
        except ValidationError as error:
            problems.extend(_schema_problems(error, index, label, lines))
            continue
        found = question_problems(question, content)
        problems.extend(f"{lines.where(index, f)}, {label}, field `{f}`: {m}" for f, m in found)
        if question.id in seen_ids:
            problems.append(
                f"{lines.where(index, 'id')}, {label}: the id is also used by question "
                f"{seen_ids[question.id] + 1}"
            )
        seen_ids.setdefault(question.id, index)
        folded = fold_prompt(question.prompt)
        if folded in shipped_prompts:
            problems.append(
                f"{lines.where(index, 'prompt')}, {label}, field `prompt`: "
                "the same prompt is already a built-in question"
            )
        elif folded in seen_prompts:
            problems.append(
                f"{lines.where(index, 'prompt')}, {label}, field `prompt`: "
                f"the same prompt as question {seen_prompts[folded] + 1}"
            )
        seen_prompts.setdefault(folded, index)
        if not found:
            questions.append(question)
    if problems:
        raise PackFileError(problems)
    return questions


def question_problems(question: Question, content: Content) -> list[tuple[str, str]]:
    """(field, problem) pairs beyond the schema: an unknown skill, a giveaway, a position."""
    skill = content.skills.get(question.skill)
    if skill is None:
        lookup = content.index.resolve(question.skill)
        hint = (
            f" (did you mean `{lookup.suggestions[0].slug}`?)"
            if lookup.suggestions
            else (f" (did you mean `{lookup.skill.slug}`?)" if lookup.skill else "")
        )
        return [("skill", f"`{question.skill[:40]}` is not a skill of the catalogue{hint}")]
    found: list[tuple[str, str]] = []
    for field, texts in (
        ("prompt", [question.prompt]),
        ("choices", question.choices),
        ("explanation", [question.explanation]),
    ):
        unsafe = next((m.group(0) for t in texts if (m := UNSAFE_TEXT.search(t))), None)
        if unsafe:
            found.append(
                (field, f"{unsafe!r}: no mentions, invites or masked links in a shared question")
            )
    giveaways = giveaway_words(question, skill)
    if giveaways:
        found.append(
            (
                "choices",
                f"the right choice gives the answer away with {', '.join(sorted(giveaways))!r} "
                "(a word of the skill's name that no wrong choice has)",
            )
        )
    positions = positional_references(question)
    if positions:
        found.append(
            (
                "choices",
                f"{positions[0]!r} refers to a choice's position, but choices are shuffled",
            )
        )
    return found


def _label(index: int, raw: Any) -> str:
    qid = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(qid, str) and qid:
        return f'question {index + 1} ("{qid[:40]}")'
    return f"question {index + 1}"


def _schema_problems(
    error: ValidationError, index: int, label: str, lines: _Lines
) -> Iterable[str]:
    for detail in error.errors(include_url=False):
        location = [str(part) for part in detail["loc"]]
        message = str(detail["msg"]).removeprefix("Value error, ")
        if not location:
            location = ["answer"] if "answer" in message else []
        field = location[0] if location else None
        path = ".".join(location) or "question"
        if detail["type"] == "extra_forbidden":
            message = "is not a field of a question"
        yield f"{lines.where(index, field)}, {label}, field `{path}`: {message}"
