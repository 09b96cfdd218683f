"""Skill lookup by name, slug or alias: exact names, typed prefixes and typos in microseconds.

Everything a query needs is built once, when the catalogue loads, so a lookup reads a few
dictionaries and scores a handful of strings instead of scanning every term:

* **exact**: every folded form (``node js``, ``nodejs``) of every name, slug and alias;
* **prefixes**: every prefix of every form, mapped to the skills it starts, already ranked;
  likewise every prefix of a later word (``boot`` → Spring Boot);
* **typos**: a symmetric-deletion table (every form with one character dropped) finds, by
  dictionary lookups, every term within one edit of the query, transpositions included; a
  character-trigram inverted index picks the few terms that could be two edits away, or that a
  typo'd prefix could be starting. rapidfuzz's OSA (Damerau) distance scores only those.

A query resolves to a card when exactly one skill is the answer of the best tier that has one
(exact, prefix, within the edits its length allows, a word of it naming a skill); otherwise
the reply is up to three suggestions of that tier, or none ("no close match").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.content.schema import Skill

AUTOCOMPLETE_LIMIT = 25
# Suggestions shown when a query names no skill confidently.
SUGGESTIONS = 3
# A prefix names a skill on its own (``kube``) only when it is at least this long...
MIN_PREFIX_RESOLVE = 3
# ...and a later word of a name (``boot`` for Spring Boot) only from this length.
MIN_WORD_RESOLVE = 4
# Typos are looked for only in queries at least this long (compact form, spaces removed).
MIN_TYPO_LENGTH = 4
# From this length a query may be two edits away from the term it means, not just one.
TWO_EDITS_LENGTH = 8
# Near misses beyond the allowed edits are offered (never resolved) from this similarity up.
SUGGEST_RATIO = 75.0
# Terms scored by rapidfuzz per query, at most: the best by shared trigrams.
TRIGRAM_CANDIDATES = 24
# Queries are cut to this many characters (Discord caps options at 100).
MAX_QUERY = 100
DEFAULT_CACHE_SIZE = 1024

_PUNCTUATION = re.compile(r"[.\-_/()'’,:]+")
_START = "\x02"
_END = "\x03"

def normalize(text: str) -> str:
    """Fold case and punctuation: ``Node.JS`` and ``node js`` both become ``node js``."""
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def allowed_edits(length: int) -> int:
    """How many typos (OSA edits) a query of ``length`` characters may carry and still resolve."""
    if length < MIN_TYPO_LENGTH:
        return 0
    return 1 if length < TWO_EDITS_LENGTH else 2


def _deletions(text: str) -> set[str]:
    """``text`` and every string one character shorter than it."""
    return {text, *(text[:i] + text[i + 1 :] for i in range(len(text)))}


def _trigrams(text: str, *, end: bool = True) -> set[str]:
    padded = _START + text + (_END if end else "")
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _unique(groups: Iterable[Iterable[Skill]], limit: int) -> list[Skill]:
    """The first ``limit`` distinct skills of ``groups``, in order."""
    seen: dict[str, Skill] = {}
    for group in groups:
        for skill in group:
            seen.setdefault(skill.slug, skill)
            if len(seen) >= limit:
                return list(seen.values())
    return list(seen.values())


@dataclass(frozen=True)
class Lookup:
    """The outcome of resolving free text: a skill, or suggestions when unsure."""

    skill: Skill | None
    suggestions: tuple[Skill, ...] = ()


class SkillIndex:
    """Indexes every skill's slug, name and aliases (spaced and compact forms).

    ``cache_size`` bounds a per-query LRU cache in front of ``resolve`` and ``complete``
    (0 turns it off); the index is fast without it, the cache only saves repeated keystrokes.
    """

    def __init__(self, skills: Iterable[Skill], *, cache_size: int = DEFAULT_CACHE_SIZE) -> None:
        self._skills = list(skills)
        # Empty query, and ties elsewhere: the most-demanded skills first, then by name.
        self._default = sorted(self._skills, key=lambda s: (-len(s.sources), s.name.casefold()))
        self._rank = {s.slug: n for n, s in enumerate(self._default)}

        # (skill, folded form, is it the name or slug rather than an alias), first owner first.
        forms: list[tuple[Skill, str, bool]] = []
        for skill in self._skills:
            own = {normalize(skill.name), normalize(skill.slug)}
            seen: set[str] = set()
            for raw in (skill.name, skill.slug, *skill.aliases):
                spaced = normalize(raw)
                for form in (spaced, spaced.replace(" ", "")):
                    if form and form not in seen:
                        seen.add(form)
                        forms.append((skill, form, spaced in own))

        self._exact: dict[str, Skill] = {}
        for skill, form, _ in forms:
            self._exact.setdefault(form, skill)

        # Prefix tables, ranked once: names before aliases, shorter terms before longer ones
        # (the closer to complete, the likelier meant), then the default order.
        ranked = sorted(
            forms, key=lambda f: (not f[2], len(f[1]), self._rank[f[0].slug], f[1])
        )
        starts: dict[str, dict[str, Skill]] = {}
        later_words: dict[str, dict[str, Skill]] = {}
        for skill, form, _ in ranked:
            for end in range(1, len(form) + 1):
                starts.setdefault(form[:end], {}).setdefault(skill.slug, skill)
            if " " in form:
                words = form.split(" ")
                for n in range(1, len(words)):
                    rest = " ".join(words[n:])
                    for end in range(2, len(rest) + 1):
                        later_words.setdefault(rest[:end], {}).setdefault(skill.slug, skill)
        self._starts = {p: tuple(s.values()) for p, s in starts.items()}
        self._later_words = {p: tuple(s.values()) for p, s in later_words.items()}

        # Typo structures over the compact forms (spaces dropped), one entry per distinct term.
        owners: dict[str, dict[str, Skill]] = {}
        for skill, form, _ in forms:
            if " " not in form:
                owners.setdefault(form, {}).setdefault(skill.slug, skill)
        self._terms = list(owners)
        self._owners = [tuple(owners[t].values()) for t in self._terms]
        deletions: dict[str, list[int]] = {}
        trigrams: dict[str, list[int]] = {}
        for n, term in enumerate(self._terms):
            for variant in _deletions(term):
                deletions.setdefault(variant, []).append(n)
            for gram in _trigrams(term):
                trigrams.setdefault(gram, []).append(n)
        self._deletions = {v: tuple(ids) for v, ids in deletions.items()}
        self._trigrams = {g: tuple(ids) for g, ids in trigrams.items()}

        self._cached_resolve: Callable[[str], Lookup] = self._resolve
        self._cached_complete: Callable[[str], tuple[Skill, ...]] = self._complete
        if cache_size > 0:
            self._cached_resolve = lru_cache(maxsize=cache_size)(self._resolve)
            self._cached_complete = lru_cache(maxsize=cache_size)(self._complete)

    @property
    def term_count(self) -> int:
        """Distinct folded forms (spaced and compact) of every name, slug and alias."""
        return len(self._exact)

    def exact(self, query: str) -> Skill | None:
        """The skill whose slug, name or alias is exactly ``query`` (after folding)."""
        form = normalize(query)
        return self._exact.get(form) or self._exact.get(form.replace(" ", ""))

    # -- the tiers ------------------------------------------------------------------------

    def _prefixed(self, form: str, compact: str) -> tuple[Skill, ...]:
        """Skills one of whose forms starts with the query, best first."""
        found = self._starts.get(form, ())
        if compact != form:
            found = tuple(_unique((found, self._starts.get(compact, ())), len(self._skills)))
        return found

    def _scored(self, ids: Iterable[int], distances: Sequence[float]) -> list[Skill]:
        """The owners of terms ``ids``, by distance (smaller first), then default rank."""
        best: dict[str, tuple[float, int, Skill]] = {}
        for n, distance in zip(ids, distances, strict=True):
            for skill in self._owners[n]:
                key = (distance, self._rank[skill.slug], skill)
                if key[:2] < best.get(skill.slug, key)[:2] or skill.slug not in best:
                    best[skill.slug] = key
        return [skill for *_, skill in sorted(best.values(), key=lambda k: k[:2])]

    def _one_edit(self, compact: str) -> tuple[list[int], list[float]]:
        """Terms within one OSA edit of ``compact`` and their distances (symmetric deletion)."""
        found: set[int] = set()
        for variant in _deletions(compact):
            ids = self._deletions.get(variant)
            if ids:
                found.update(ids)
        near: list[int] = []
        distances: list[float] = []
        for n in found:
            distance = OSA.distance(compact, self._terms[n], score_cutoff=1)
            if distance <= 1:
                near.append(n)
                distances.append(distance)
        return near, distances

    def _trigram_candidates(self, compact: str) -> list[int]:
        """The terms sharing the most trigrams with ``compact`` (its start, not its end)."""
        counts: Counter[int] = Counter()
        for gram in _trigrams(compact, end=False):
            ids = self._trigrams.get(gram)
            if ids:
                counts.update(ids)
        return [n for n, _ in counts.most_common(TRIGRAM_CANDIDATES)]

    def _typos(self, compact: str) -> tuple[list[Skill], list[int]]:
        """Skills within the allowed edits of the query (best first), and trigram candidates."""
        edits = allowed_edits(len(compact))
        if edits == 0:
            return [], []
        near, distances = self._one_edit(compact)
        candidates: list[int] = []
        if edits > 1 or not near:
            candidates = self._trigram_candidates(compact)
        if edits > 1 and candidates:
            already = set(near)
            rest = [n for n in candidates if n not in already]
            for _, distance, i in process.extract(
                compact,
                [self._terms[n] for n in rest],
                scorer=OSA.distance,
                score_cutoff=edits,
                limit=None,
            ):
                near.append(rest[i])
                distances.append(distance)
        return self._scored(near, distances), candidates

    def _near_misses(self, compact: str, candidates: list[int]) -> list[Skill]:
        """Skills too far off to resolve but similar enough to suggest."""
        if not candidates:
            return []
        found = process.extract(
            compact,
            [self._terms[n] for n in candidates],
            scorer=fuzz.ratio,
            score_cutoff=SUGGEST_RATIO,
            limit=None,
        )
        return self._scored([candidates[i] for _, _, i in found], [-s for _, s, _ in found])

    def _typed_with_typo(self, compact: str, candidates: list[int]) -> list[Skill]:
        """Skills whose start the query could be, give or take one edit (``kubr``)."""
        if len(compact) <= MIN_TYPO_LENGTH:
            return []
        size = len(compact)
        ids: list[int] = []
        distances: list[float] = []
        for n in candidates:
            term = self._terms[n]
            if len(term) <= size:
                continue
            distance = min(
                OSA.distance(compact, term[:end], score_cutoff=1)
                for end in (size - 1, size, size + 1)
            )
            if distance <= 1:
                ids.append(n)
                distances.append(distance)
        return self._scored(ids, distances)

    def _word_matches(self, form: str) -> list[Skill]:
        """Skills named outright by one word of a several-word query (``docker compose``)."""
        if " " not in form:
            return []
        return _unique(
            ((s,) if (s := self._exact.get(word)) else () for word in form.split(" ")),
            len(self._skills),
        )

    # -- the public API -------------------------------------------------------------------

    def resolve(self, query: str) -> Lookup:
        """A skill when the query names one unambiguously, else up to three suggestions."""
        return self._cached_resolve(query)

    def complete(self, query: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Skill]:
        """Up to ``limit`` (at most 25) skills for an autocomplete box, best first."""
        return list(self._cached_complete(query)[:limit])

    def _resolve(self, query: str) -> Lookup:
        form = normalize(query[:MAX_QUERY])
        compact = form.replace(" ", "")
        if not compact:
            return Lookup(None)
        exact = self._exact.get(form) or self._exact.get(compact)
        if exact is not None:
            return Lookup(exact)
        prefixed = self._prefixed(form, compact)
        if prefixed:
            if len(prefixed) == 1 and len(compact) >= MIN_PREFIX_RESOLVE:
                return Lookup(prefixed[0])
            return Lookup(None, prefixed[:SUGGESTIONS])
        typos, candidates = self._typos(compact)
        later = self._later_words.get(form, ()) if len(compact) >= MIN_WORD_RESOLVE else ()
        found = _unique((typos, later), SUGGESTIONS)
        if not found:
            found = self._word_matches(form)
        if len(found) == 1:
            return Lookup(found[0])
        if found:
            return Lookup(None, tuple(found[:SUGGESTIONS]))
        if not candidates and len(compact) >= MIN_TYPO_LENGTH:
            candidates = self._trigram_candidates(compact)
        return Lookup(None, tuple(self._near_misses(compact, candidates)[:SUGGESTIONS]))

    def _complete(self, query: str) -> tuple[Skill, ...]:
        form = normalize(query[:MAX_QUERY])
        compact = form.replace(" ", "")
        if not compact:
            return tuple(self._default[:AUTOCOMPLETE_LIMIT])
        exact = self._exact.get(form) or self._exact.get(compact)
        groups: list[Sequence[Skill]] = [(exact,) if exact else (), self._prefixed(form, compact)]
        groups.append(self._later_words.get(form, ()))
        if sum(len(g) for g in groups) < AUTOCOMPLETE_LIMIT:
            typos, candidates = self._typos(compact)
            if not candidates and len(compact) > MIN_TYPO_LENGTH:
                candidates = self._trigram_candidates(compact)
            groups += [
                typos,
                self._typed_with_typo(compact, candidates),
                self._word_matches(form),
                self._near_misses(compact, candidates),
            ]
        return tuple(_unique(groups, AUTOCOMPLETE_LIMIT))
