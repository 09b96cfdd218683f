"""Skill lookup by name, slug or alias: exact names, typed prefixes and typos in microseconds.

Everything a query needs is built once, when the catalogue loads, so a lookup reads a few
dictionaries and scores a handful of strings instead of scanning every term:

* **exact**: every folded form (``node js``, ``nodejs``) of every name, slug and alias;
* **prefixes**: every form, and every later word of one (``boot`` → Spring Boot), in a
  sorted list searched with ``bisect``, each entry carrying its rank; the short prefixes,
  which start too many forms to rank per query, are ranked once into a dictionary;
* **typos**: a symmetric-deletion table (every compact form with one character dropped)
  finds, by dictionary lookups alone, every term within one edit of the query,
  transpositions included; a character-trigram inverted index picks the few terms that could
  be two edits away, or that a typo'd prefix could be starting. rapidfuzz's OSA (Damerau)
  distance scores only those candidates.

A query resolves to a card when exactly one skill answers the first tier that has an answer
(exact; prefix; within the edits its length allows, or a later word of a name; a word of the
query naming a skill outright); otherwise the reply is up to three suggestions from that tier,
or near misses, or nothing at all ("no close match").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import itemgetter

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.content.schema import Skill

AUTOCOMPLETE_LIMIT = 25
# Suggestions shown when a query names no skill confidently.
SUGGESTIONS = 3
# A prefix names a skill on its own (``kube``) only when it is at least this long...
MIN_PREFIX_RESOLVE = 2
# ...and a later word of a name (``boot`` for Spring Boot) only from this length.
MIN_WORD_RESOLVE = 4
# Typos are looked for only in queries at least this long (compact form, spaces removed).
MIN_TYPO_LENGTH = 4
# From this length a query may be two edits away from the term it means, not just one.
TWO_EDITS_LENGTH = 8
# Near misses beyond the allowed edits are offered (never resolved) from this similarity up.
SUGGEST_RATIO = 75.0
# Terms scored by rapidfuzz per query, at most: those sharing the most trigrams with it.
TRIGRAM_CANDIDATES = 24
# Prefixes up to this long are ranked at build time; longer ones start few enough forms
# to rank on the fly.
RANKED_PREFIX = 4
# Queries are cut to this many characters (Discord caps options at 100).
MAX_QUERY = 100
DEFAULT_CACHE_SIZE = 1024

_PUNCTUATION = re.compile(r"[.\-_/()'’,:]+")
_START = "\x02"
_END = "\x03"
_LAST = "\U0010ffff"


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


def _unique(groups: Iterable[Iterable[int]], limit: int) -> list[int]:
    """The first ``limit`` distinct items of ``groups``, in order."""
    seen: dict[int, None] = {}
    for group in groups:
        for item in group:
            seen[item] = None
            if len(seen) >= limit:
                return list(seen)
    return list(seen)


class _Prefixes:
    """Strings that start with a query, each owned by a skill, best first.

    ``entries`` are (string, skill) pairs already in rank order. Prefixes up to
    ``RANKED_PREFIX`` characters are answered from a table built here; longer ones by
    bisecting the sorted strings and ranking the few that match.
    """

    def __init__(self, entries: Sequence[tuple[str, int]], shortest: int) -> None:
        by_text = sorted(range(len(entries)), key=lambda n: entries[n][0])
        self._keys = [entries[n][0] for n in by_text]
        self._order = by_text  # the rank of each sorted string
        self._skill = [skill for _, skill in entries]  # skill by rank
        short: dict[str, list[int]] = {}
        for text, skill in entries:
            for end in range(shortest, min(len(text), RANKED_PREFIX) + 1):
                bucket = short.setdefault(text[:end], [])
                if skill not in bucket:
                    bucket.append(skill)
        self._short = {p: tuple(skills) for p, skills in short.items()}

    def __call__(self, prefix: str) -> Sequence[int]:
        if len(prefix) <= RANKED_PREFIX:
            return self._short.get(prefix, ())
        keys = self._keys
        lo = bisect_left(keys, prefix)
        hi = bisect_left(keys, prefix + _LAST, lo)
        if hi - lo <= 1:
            return (self._skill[self._order[lo]],) if hi > lo else ()
        return list(dict.fromkeys(map(self._skill.__getitem__, sorted(self._order[lo:hi]))))


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
        # Skills are numbered in the default order (most-demanded first, then by name): the
        # answer to an empty query, and the tie-break everywhere else.
        self._skills = sorted(skills, key=lambda s: (-len(s.sources), s.name.casefold()))

        # (folded form, skill, is it the name or slug rather than an alias), first owner first.
        forms: list[tuple[str, int, bool]] = []
        for number, skill in enumerate(self._skills):
            own = {normalize(skill.name), normalize(skill.slug)}
            seen: set[str] = set()
            for raw in (skill.name, skill.slug, *skill.aliases):
                spaced = normalize(raw)
                for form in (spaced, spaced.replace(" ", "")):
                    if form and form not in seen:
                        seen.add(form)
                        forms.append((form, number, spaced in own))
        self._exact: dict[str, int] = {}
        for form, number, _ in forms:
            self._exact.setdefault(form, number)

        # Completions rank names before aliases and shorter forms before longer ones (the
        # closer to complete, the likelier meant), then the default order.
        forms.sort(key=lambda f: (not f[2], len(f[0]), f[1], f[0]))
        self._starts = _Prefixes([(form, number) for form, number, _ in forms], 1)
        later = []
        for form, number, _ in forms:
            words = form.split(" ")
            later += [(" ".join(words[n:]), number) for n in range(1, len(words))]
        self._later_words = _Prefixes(later, 2)

        # Typo structures over the compact forms, one entry per distinct term.
        owners: dict[str, list[int]] = {}
        for form, number, _ in forms:
            if " " not in form and number not in owners.setdefault(form, []):
                owners[form].append(number)
        self._terms = list(owners)
        self._owners = [tuple(owners[t]) for t in self._terms]
        # Most deletion variants belong to one term: stored as a bare number, the rest as a
        # tuple. Tuples of numbers leave the garbage collector's lists; lists would not.
        deletions: dict[str, int | tuple[int, ...]] = {}
        trigrams: dict[str, list[int]] = {}
        for n, term in enumerate(self._terms):
            for variant in _deletions(term):
                known = deletions.get(variant)
                if known is None:
                    deletions[variant] = n
                else:
                    deletions[variant] = (*known, n) if isinstance(known, tuple) else (known, n)
            for gram in _trigrams(term):
                trigrams.setdefault(gram, []).append(n)
        self._deletions = deletions
        self._trigrams = {gram: tuple(ids) for gram, ids in trigrams.items()}

        self._cached_resolve: Callable[[str], Lookup] = self._resolve
        self._cached_complete: Callable[[str], tuple[Skill, ...]] = self._complete
        if cache_size > 0:
            self._cached_resolve = lru_cache(maxsize=cache_size)(self._resolve)
            self._cached_complete = lru_cache(maxsize=cache_size)(self._complete)

    @property
    def term_count(self) -> int:
        """Distinct folded forms (spaced and compact) of every name, slug and alias."""
        return len(self._exact)

    # -- the public API -------------------------------------------------------------------

    def exact(self, query: str) -> Skill | None:
        """The skill whose slug, name or alias is exactly ``query`` (after folding)."""
        form = normalize(query)
        number = self._exact.get(form, self._exact.get(form.replace(" ", "")))
        return None if number is None else self._skills[number]

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
        exact = self._exact.get(form, self._exact.get(compact))
        if exact is not None:
            return Lookup(self._skills[exact])
        found = self._prefixed(form, compact)
        if not found:
            typos, candidates = self._typos(compact)
            if len(compact) >= MIN_WORD_RESOLVE:
                found = _unique((typos, self._later_words(form)), SUGGESTIONS)
            else:
                found = typos
            if not found:
                # Too far off to resolve: near misses are only offered. A word of the query
                # that names a skill outright (``docker compose``) is taken if nothing else is.
                if candidates is None:
                    candidates = self._trigram_candidates(compact)
                near = self._near_misses(compact, candidates)
                words = self._word_matches(form)
                if not near and len(words) == 1:
                    return Lookup(self._skills[words[0]])
                offered = _unique((near, words), SUGGESTIONS)
                return Lookup(None, tuple(self._skills[n] for n in offered))
        elif len(compact) < MIN_PREFIX_RESOLVE:
            return Lookup(None, tuple(self._skills[n] for n in found[:SUGGESTIONS]))
        if len(found) == 1:
            return Lookup(self._skills[found[0]])
        return Lookup(None, tuple(self._skills[n] for n in found[:SUGGESTIONS]))

    def _complete(self, query: str) -> tuple[Skill, ...]:
        form = normalize(query[:MAX_QUERY])
        compact = form.replace(" ", "")
        if not compact:
            return tuple(self._skills[:AUTOCOMPLETE_LIMIT])
        exact = self._exact.get(form, self._exact.get(compact))
        groups: list[Sequence[int]] = [
            () if exact is None else (exact,),
            self._prefixed(form, compact),
            self._later_words(form),
        ]
        # Typo matching only when nothing starts with what was typed.
        if not any(groups):
            # The looser tiers only when no term is within the allowed edits.
            typos, candidates = self._typos(compact)
            groups.append(typos)
            if not typos:
                if candidates is None:
                    candidates = self._trigram_candidates(compact)
                groups += [
                    self._typed_with_typo(compact, candidates),
                    self._near_misses(compact, candidates),
                    self._word_matches(form),
                ]
        return tuple(self._skills[n] for n in _unique(groups, AUTOCOMPLETE_LIMIT))

    # -- the tiers ------------------------------------------------------------------------

    def _prefixed(self, form: str, compact: str) -> Sequence[int]:
        """Skills one of whose forms starts with the query, best first."""
        found = self._starts(form)
        if compact != form:
            found = _unique((found, self._starts(compact)), len(self._skills))
        return found

    def _scored(self, ids: Iterable[int], distances: Iterable[float]) -> list[int]:
        """The owners of terms ``ids``, by distance (smaller first), then default order."""
        best: dict[int, float] = {}
        for n, distance in zip(ids, distances, strict=True):
            for skill in self._owners[n]:
                if distance < best.get(skill, 1e9):
                    best[skill] = distance
        return sorted(best, key=lambda s: (best[s], s))

    def _one_edit(self, compact: str) -> tuple[list[int], list[float]]:
        """Terms within one OSA edit of ``compact`` and their distances (symmetric deletion)."""
        found: set[int] = set()
        for variant in _deletions(compact):
            ids = self._deletions.get(variant)
            if ids is None:
                continue
            if isinstance(ids, int):
                found.add(ids)
            else:
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
        grams = _trigrams(compact, end=False)
        postings = self._trigrams
        counts = Counter(chain.from_iterable([postings[g] for g in grams if g in postings]))
        # A term two edits away still shares all but about eight of the query's trigrams.
        need = max(2, len(grams) - 8)
        shared = [(count, n) for n, count in counts.items() if count >= need]
        shared.sort(key=itemgetter(0), reverse=True)
        return [n for _, n in shared[:TRIGRAM_CANDIDATES]]

    def _typos(self, compact: str) -> tuple[list[int], list[int] | None]:
        """Skills within the allowed edits of the query (best first), and trigram candidates.

        The candidates are ``None`` when they did not have to be looked up. Terms two edits away are looked for only when none is one edit away.
        """
        edits = allowed_edits(len(compact))
        if edits == 0:
            return [], []  # too short for typos, or for near misses
        near, distances = self._one_edit(compact)
        candidates = None
        if edits > 1 and not near:
            candidates = self._trigram_candidates(compact)
            for _, distance, i in process.extract(
                compact,
                [self._terms[n] for n in candidates],
                scorer=OSA.distance,
                score_cutoff=edits,
                limit=None,
            ):
                near.append(candidates[i])
                distances.append(distance)
        return self._scored(near, distances), candidates

    def _near_misses(self, compact: str, candidates: list[int]) -> list[int]:
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
        return self._scored((candidates[i] for _, _, i in found), (-s for _, s, _ in found))

    def _typed_with_typo(self, compact: str, candidates: list[int]) -> list[int]:
        """Skills whose start the query could be, give or take one edit (``kubr``)."""
        size = len(compact)
        if size <= MIN_TYPO_LENGTH:
            return []
        ids: list[int] = []
        distances: list[float] = []
        for n in candidates:
            term = self._terms[n]
            if len(term) > size:
                distance = min(
                    OSA.distance(compact, term[:end], score_cutoff=1)
                    for end in (size - 1, size, size + 1)
                )
                if distance <= 1:
                    ids.append(n)
                    distances.append(distance)
        return self._scored(ids, distances)

    def _word_matches(self, form: str) -> list[int]:
        """Skills named outright by one word of a several-word query (``docker compose``)."""
        if " " not in form:
            return []
        named = (self._exact.get(word) for word in form.split(" "))
        return list(dict.fromkeys(n for n in named if n is not None))
