"""Fairness figures for the quiz: whether a learner can score without knowing the topic.

Choices are shuffled when a question is shown, so the only tells left are in
the text itself. This module measures the usual ones over a set of questions:

- the right choice is the strictly longest one (test-wise learners pick it);
- the right choice is much longer or shorter than the wrong ones on average;
- a *giveaway*: a distinctive word of the skill's name or slug appears in the
  right choice and in no wrong choice (a factory-pattern question whose right
  answer says "factory");
- a *positional reference* ("the first choice", "option B", "all of the
  above") that stops making sense once the choices are shuffled;
- two questions with the same prompt once case and spacing are folded.

It also counts the link domains that question sources point to, so a writer
can see which references the quiz leans on. Everything here is a pure function
of the questions and skills; ``python -m bot content check`` prints the
figures and fails past the thresholds below.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import mean
from urllib.parse import urlsplit

from bot.content.schema import Question, Skill

MAX_LONGEST_RIGHT_SHARE = 0.30
"""Fail when the right choice is the strictly longest in more of the questions than this."""

TARGET_LONGEST_RIGHT_SHARE = 0.25
"""What a writer should aim for in each file; reported, not enforced."""

MAX_GIVEAWAYS = 0
"""Fail on more giveaways than this."""

MAX_POSITIONAL_REFERENCES = 0
"""Fail on more questions with a positional reference than this."""

MAX_DUPLICATE_PROMPTS = 0
"""Fail on more groups of questions sharing one prompt than this."""

GENERIC_NAME_WORDS = frozenset(
    {
        "and",
        "the",
        "for",
        "with",
        "api",
        "apis",
        "app",
        "application",
        "applications",
        "pattern",
        "patterns",
        "design",
        "architecture",
        "basics",
        "operations",
        "strategies",
        "databases",
        "database",
        "data",
        "problem",
        "testing",
        "computing",
        "management",
        "web",
        "services",
        "service",
        "server",
        "servers",
        "test",
        "tests",
        "cross",
        "site",
        "secure",
        "content",
        "delivery",
        "network",
        "request",
        "requests",
        "code",
        "open",
        "source",
        "system",
        "clean",
        "building",
        "personal",
        "continuous",
        "one",
    }
)
"""Words of skill names too common to give an answer away on their own."""

MIN_NAME_WORD_LENGTH = 3

_WORD = re.compile(r"[a-z0-9]+(?:[+#][a-z0-9+#]*)?")

POSITIONAL_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\b(?:all|none|both|neither|any|each) of the (?:above|below)\b", re.IGNORECASE),
    re.compile(
        r"\bthe (?:first|second|third|fourth|last|final|previous|next) (?:choice|option|answer)s?\b",
        re.IGNORECASE,
    ),
    # "the last one" points at a choice when it is judged ("the last one is wrong") or stands
    # alone; "the last one wins" and "before the next one" speak of writes or runs instead.
    re.compile(
        r"(?<!before )(?<!after )(?<!than )"
        r"\bthe (?:first|second|third|fourth|last|final|previous|next) one\b"
        r"(?=\s+(?:is|isn't|was|would|could|fails|confuses|describes|mixes)\b|\s*[,.;:)]|\s*$)",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:choice|option|answer)s? (?:listed |shown )?(?:above|below)\b", re.IGNORECASE),
    re.compile(r"\b(?:above|below) (?:choice|option|answer)s?\b", re.IGNORECASE),
    re.compile(r"\b(?:listed|shown|mentioned) (?:above|below)\b", re.IGNORECASE),
    re.compile(r"\b(?i:option|choice|answer)s? [A-D1-4]\b"),
    re.compile(r"(?:^|\s)\(?[A-D]\)\s"),
)
"""Phrases that point at a choice by where it sits, which shuffling breaks."""


def _stem(word: str) -> str:
    """A crude singular: ``factories`` -> ``factory``, ``queues`` -> ``queue``."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> set[str]:
    """The stemmed, case-folded words of ``text``."""
    return {_stem(w) for w in _WORD.findall(text.casefold())}


def distinctive_words(skill: Skill) -> set[str]:
    """Words of a skill's name and slug that would identify it in a choice."""
    found = words(skill.name) | words(skill.slug.replace("-", " "))
    return {w for w in found if len(w) >= MIN_NAME_WORD_LENGTH and w not in GENERIC_NAME_WORDS} - {
        _stem(g) for g in GENERIC_NAME_WORDS
    }


_ALTERNATIVES = re.compile(r"&|,|/|\bvs\b\.?|\band\b", re.IGNORECASE)


def name_alternatives(skill: Skill) -> list[set[str]]:
    """The distinctive words of each alternative a skill's name lists.

    ``Mocks, stubs & test doubles`` lists three, ``Horizontal & vertical scaling`` two;
    ``Model-View-Controller (MVC)`` is one name, not a list.
    """
    own = distinctive_words(skill)
    groups = [words(part) & own for part in _ALTERNATIVES.split(skill.name)]
    return [group for group in groups if group]


def right_is_longest(question: Question) -> bool:
    """Whether the right choice is strictly longer than every wrong one."""
    right = len(question.choices[question.answer])
    return all(right > len(c) for i, c in enumerate(question.choices) if i != question.answer)


def right_is_shortest(question: Question) -> bool:
    """Whether the right choice is strictly shorter than every wrong one."""
    right = len(question.choices[question.answer])
    return all(right < len(c) for i, c in enumerate(question.choices) if i != question.answer)


def length_ratio(question: Question) -> float:
    """Length of the right choice over the mean length of the wrong ones (1.0 = balanced)."""
    wrong = [len(c) for i, c in enumerate(question.choices) if i != question.answer]
    return len(question.choices[question.answer]) / mean(wrong)


def giveaway_words(question: Question, skill: Skill) -> set[str]:
    """Distinctive words of ``skill`` that appear in the right choice and in no wrong one.

    When the skill's name lists alternatives, a word of one alternative in the right
    choice is no tell if a wrong choice names another ("A stub" beside "A mock").
    """
    right = words(question.choices[question.answer])
    wrong: set[str] = set()
    for i, choice in enumerate(question.choices):
        if i != question.answer:
            wrong |= words(choice)
    hits = (distinctive_words(skill) & right) - wrong
    groups = name_alternatives(skill)
    if len(groups) < 2:
        return hits
    balanced = set()
    for word in hits:
        others = set().union(*(group for group in groups if word not in group))
        if others & wrong:
            balanced.add(word)
    return hits - balanced


def positional_references(question: Question) -> list[str]:
    """Phrases in the prompt, choices or explanation that refer to a choice's position."""
    found = []
    for text in (question.prompt, *question.choices, question.explanation):
        for pattern in POSITIONAL_PATTERNS:
            found += [m.group(0).strip() for m in pattern.finditer(text)]
    return found


def fold_prompt(prompt: str) -> str:
    """A prompt with case and runs of whitespace folded, for duplicate detection."""
    return " ".join(prompt.casefold().split())


def duplicate_prompts(questions: Iterable[Question]) -> list[list[str]]:
    """Groups of question ids (two or more) whose folded prompts are equal."""
    by_prompt: dict[str, list[str]] = defaultdict(list)
    for question in questions:
        by_prompt[fold_prompt(question.prompt)].append(question.id)
    return [ids for ids in by_prompt.values() if len(ids) > 1]


def source_domain(question: Question) -> str:
    """The host of a question's source link, without a leading ``www.``."""
    host = urlsplit(str(question.source)).hostname or ""
    return host.removeprefix("www.")


def source_domains(questions: Iterable[Question]) -> Counter[str]:
    """How many questions cite each source domain."""
    return Counter(source_domain(q) for q in questions)


@dataclass(frozen=True)
class FairnessReport:
    """The fairness figures of one set of questions, with the offending ids."""

    total: int
    longest_right: list[str] = field(default_factory=list)
    shortest_right: list[str] = field(default_factory=list)
    chance: float = 0.0
    mean_length_ratio: float = 1.0
    giveaways: dict[str, set[str]] = field(default_factory=dict)
    positional: dict[str, list[str]] = field(default_factory=dict)
    duplicates: list[list[str]] = field(default_factory=list)
    domains: Counter[str] = field(default_factory=Counter)

    @property
    def longest_right_share(self) -> float:
        """Share of questions whose right choice is the strictly longest."""
        return len(self.longest_right) / self.total if self.total else 0.0

    @property
    def shortest_right_share(self) -> float:
        """Share of questions whose right choice is the strictly shortest."""
        return len(self.shortest_right) / self.total if self.total else 0.0

    def offenders(self) -> dict[str, list[str]]:
        """For each check, the offending questions (id and detail); every check is a key."""
        return {
            "longest": list(self.longest_right),
            "giveaways": [f"{qid} ({'/'.join(sorted(w))})" for qid, w in self.giveaways.items()],
            "positional": [f"{qid} ({'; '.join(p)!r})" for qid, p in self.positional.items()],
            "duplicates": [" = ".join(ids) for ids in self.duplicates],
        }

    def failed_checks(self) -> dict[str, str]:
        """The checks past their threshold, each with a one-line summary."""
        out = {}
        if self.longest_right_share > MAX_LONGEST_RIGHT_SHARE:
            out["longest"] = (
                f"right choice is the strictly longest in {self.longest_right_share:.0%} of "
                f"questions (max {MAX_LONGEST_RIGHT_SHARE:.0%})"
            )
        if len(self.giveaways) > MAX_GIVEAWAYS:
            out["giveaways"] = (
                f"{len(self.giveaways)} giveaway(s): a skill word only in the right choice"
            )
        if len(self.positional) > MAX_POSITIONAL_REFERENCES:
            out["positional"] = (
                f"{len(self.positional)} question(s) refer to a choice by position, "
                "which shuffling breaks"
            )
        if len(self.duplicates) > MAX_DUPLICATE_PROMPTS:
            out["duplicates"] = f"{len(self.duplicates)} prompt(s) used by more than one question"
        return out

    def failures(self) -> list[str]:
        """One line per threshold exceeded, naming the offending question ids."""
        offenders = self.offenders()
        return [
            f"{summary}: " + ", ".join(offenders[check])
            for check, summary in self.failed_checks().items()
        ]


def fairness_report(questions: Iterable[Question], skills: Mapping[str, Skill]) -> FairnessReport:
    """Measure every fairness figure over ``questions``; ``skills`` maps slug to skill."""
    questions = list(questions)
    giveaways = {}
    positional = {}
    for question in questions:
        skill = skills.get(question.skill)
        if skill is not None and (hits := giveaway_words(question, skill)):
            giveaways[question.id] = hits
        if refs := positional_references(question):
            positional[question.id] = refs
    return FairnessReport(
        total=len(questions),
        longest_right=[q.id for q in questions if right_is_longest(q)],
        shortest_right=[q.id for q in questions if right_is_shortest(q)],
        chance=mean(1 / len(q.choices) for q in questions) if questions else 0.0,
        mean_length_ratio=mean(length_ratio(q) for q in questions) if questions else 1.0,
        giveaways=giveaways,
        positional=positional,
        duplicates=duplicate_prompts(questions),
        domains=source_domains(questions),
    )


def reports_by_file(
    questions: Iterable[Question], skills: Mapping[str, Skill], origin: Mapping[str, str]
) -> dict[str, FairnessReport]:
    """One report per file; ``origin`` maps a question id to the file it came from."""
    grouped: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        grouped[origin.get(question.id, "?")].append(question)
    return {name: fairness_report(grouped[name], skills) for name in sorted(grouped)}


DOMAINS_SHOWN = 12
"""How many source domains ``format_report`` lists before summing up the rest."""


def format_report(
    overall: FairnessReport, per_file: Mapping[str, FairnessReport] | None = None
) -> list[str]:
    """Human-readable lines: the overall figures, then one line per file."""
    top = overall.domains.most_common(DOMAINS_SHOWN)
    rest = overall.domains.most_common()[DOMAINS_SHOWN:]
    domains = ", ".join(f"{host} {n}" for host, n in top)
    if rest:
        domains += f", and {len(rest)} more with {sum(n for _, n in rest)} question(s)"
    lines = [
        f"quiz fairness over {overall.total} questions:",
        f"  right choice strictly longest: {overall.longest_right_share:.1%} "
        f"(max {MAX_LONGEST_RIGHT_SHARE:.0%}; aim <= {TARGET_LONGEST_RIGHT_SHARE:.0%} per file, "
        f"a blind guess is right {overall.chance:.0%} of the time)",
        f"  right choice strictly shortest: {overall.shortest_right_share:.1%}",
        f"  mean length ratio right / wrong: {overall.mean_length_ratio:.2f} (1.00 = balanced)",
        f"  giveaways: {len(overall.giveaways)}, positional references: "
        f"{len(overall.positional)}, duplicate prompts: {len(overall.duplicates)}",
        f"  source domains ({len(overall.domains)}): {domains}",
    ]
    if per_file:
        lines.append("  per file: questions, longest-right, shortest-right, length ratio")
        width = max(len(name) for name in per_file)
        for name, report in per_file.items():
            mark = "" if report.longest_right_share <= TARGET_LONGEST_RIGHT_SHARE else "  *"
            lines.append(
                f"    {name:<{width}}  {report.total:>4}  {report.longest_right_share:>6.1%}  "
                f"{report.shortest_right_share:>6.1%}  {report.mean_length_ratio:.2f}{mark}"
            )
    return lines


def format_failures(
    overall: FairnessReport, per_file: Mapping[str, FairnessReport] | None = None
) -> list[str]:
    """One line per failed check, then its offending question ids, grouped by file if known."""
    lines = []
    for check, summary in overall.failed_checks().items():
        lines.append(f"unfair: {summary}")
        if not per_file:
            lines.append("    " + ", ".join(overall.offenders()[check]))
            continue
        for name, report in per_file.items():
            if ids := report.offenders()[check]:
                lines.append(f"    {name}: " + ", ".join(ids))
        if check == "duplicates":
            lines.append("    across files: " + "; ".join(overall.offenders()[check]))
    return lines
