"""Typo-tolerant lookup of skills by name, slug or alias, powered by rapidfuzz."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import JaroWinkler

from bot.content.schema import Skill

# A free-text query resolves to a card only when the best match is this good...
ACCEPT_SCORE = 88.0
# ...and clearly better than the best match for any other skill.
ACCEPT_MARGIN = 4.0
AUTOCOMPLETE_LIMIT = 25
# Typo matching (Jaro-Winkler) only for queries at least this long.
MIN_TYPO_LENGTH = 4
_PUNCTUATION = re.compile(r"[.\-_/()'’,:]+")


def normalize(text: str) -> str:
    """Fold case and punctuation: ``Node.JS`` and ``node js`` both become ``node js``."""
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


@dataclass(frozen=True)
class Lookup:
    """The outcome of resolving free text: a skill, or suggestions when unsure."""

    skill: Skill | None
    suggestions: tuple[Skill, ...] = ()


class SkillIndex:
    """Indexes every skill's slug, name and aliases (spaced and compact forms)."""

    def __init__(self, skills: Iterable[Skill]) -> None:
        self._skills = list(skills)
        self._by_slug = {s.slug: s for s in self._skills}
        self._exact: dict[str, str] = {}
        terms: list[str] = []
        owners: list[str] = []
        for skill in self._skills:
            for raw in (skill.name, skill.slug, *skill.aliases):
                for form in {normalize(raw), normalize(raw).replace(" ", "")}:
                    if not form:
                        continue
                    self._exact.setdefault(form, skill.slug)
                    terms.append(form)
                    owners.append(skill.slug)
        self._terms = terms
        self._owners = owners
        # rapidfuzz's default processing, done once here rather than on every keystroke.
        self._processed = [utils.default_process(t) for t in terms]
        # Empty query: the most-demanded skills first, then by name.
        self._default = sorted(self._skills, key=lambda s: (-len(s.sources), s.name.casefold()))

    def exact(self, query: str) -> Skill | None:
        """The skill whose slug, name or alias is exactly ``query`` (after folding)."""
        form = normalize(query)
        slug = self._exact.get(form) or self._exact.get(form.replace(" ", ""))
        return self._by_slug[slug] if slug else None

    def _ranked(self, query: str, limit: int) -> list[tuple[Skill, float]]:
        """Skills by their best-scoring term, best first.

        Two C-speed passes: WRatio (word order, partial names) and Jaro-Winkler
        (typos such as transposed letters). When query and term differ a lot in length,
        only a match at the start of a word keeps the partial score; otherwise plain
        ratio counts, so "c" (C#) inside "dokcer", "chai" inside "blockchain" or "rast"
        inside "infrastructure" cannot win.
        """
        form = normalize(query)
        processed = utils.default_process(form)
        best: dict[str, float] = {}

        def consider(index: int, score: float) -> None:
            slug = self._owners[index]
            if score > best.get(slug, -1.0):
                best[slug] = score

        for _, score, index in process.extract(
            processed, self._processed, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=40
        ):
            term = self._terms[index]
            lopsided = len(term) < 0.6 * len(form) or len(form) < 0.6 * len(term)
            if lopsided and not any(word.startswith(form) for word in term.split()):
                score = fuzz.ratio(form, term)
            if term.startswith(form) or term.replace(" ", "").startswith(form.replace(" ", "")):
                score = max(score, 95.0 + min(len(form), 5) / 5 - len(term) / 1000)
            consider(index, score)
        if len(form) >= MIN_TYPO_LENGTH:
            for _, score, index in process.extract(
                processed,
                self._processed,
                scorer=JaroWinkler.normalized_similarity,
                limit=limit * 2,
                score_cutoff=0.85,
            ):
                if abs(len(self._terms[index]) - len(form)) <= 3:
                    consider(index, score * 100)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self._by_slug[kv[0]].name))
        return [(self._by_slug[slug], score) for slug, score in ranked[:limit]]

    def complete(self, query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Skill]:
        """Up to ``limit`` skills for an autocomplete box, best first."""
        if not normalize(query):
            return self._default[:limit]
        exact = self.exact(query)
        ranked = [skill for skill, _ in self._ranked(query, limit)]
        if exact is not None:
            ranked = [exact, *(s for s in ranked if s.slug != exact.slug)]
        return ranked[:limit]

    def resolve(self, query: str) -> Lookup:
        """A skill when the query names one unambiguously, else up to three suggestions."""
        exact = self.exact(query)
        if exact is not None:
            return Lookup(exact)
        ranked = self._ranked(query, 4)
        if not ranked:
            return Lookup(None)
        top_skill, top_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if top_score >= ACCEPT_SCORE and top_score - runner_up >= ACCEPT_MARGIN:
            return Lookup(top_skill)
        return Lookup(None, tuple(skill for skill, _ in ranked[:3]))
