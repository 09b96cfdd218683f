"""Skill lookup benchmark: ``SkillIndex.resolve`` / ``complete`` against difflib, in one run.

Run from the repository root::

    .venv/bin/python -m bench.lookup [--before REF]

Query sets (all built from the shipped catalogue, ``load_content()``):

* **labelled**: ``LOOKUPS`` of tests/unit/test_skill_lookup.py (query -> expected slug).
* **synthetic typos** (seeded, ``--seed``): every skill's name and aliases of at least five
  letters (compact form) with one random edit (a letter dropped, inserted, replaced, or two
  neighbours swapped), and those of at least ten letters once more with two edits. Queries
  that fold to an existing name or alias are skipped. Expected: the skill the term belongs to.
* **typed prefixes**: a few skill names typed keystroke by keystroke ("k", "ku", "kub", ...);
  a prefix counts as a top-1 hit when the first suggestion is the skill being typed.
* **gibberish**: ``NO_CLOSE_MATCH`` of the tests (words the catalogue does not cover, such as
  "blockchain") and seeded random strings of 4-12 letters. Rejected means no card; "no close
  match" means no card and no suggestions either.

The baseline is ``difflib.get_close_matches`` (default cutoff 0.6) over the same candidate
strings: every skill's name, slug and aliases, lower-cased and mapped back to their skill; its
first match is its answer (``n=1`` to resolve, ``n=25`` to complete). The index is timed
without its LRU cache (``cache_size=0``) and, separately, with it (the timed passes after the
warm-up are then all cache hits). ``--before REF`` also measures ``bot/content/search.py`` as
it was at git revision REF (loaded with ``git show``), for before/after figures.

Each query runs once untimed (warm-up, and the answer that is scored), then is timed per call
with ``perf_counter_ns`` over ``--repeats`` passes (``--difflib-repeats`` for difflib and the
before index). Medians and p95 are over all per-call samples. Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import random
import statistics
import string
import subprocess
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rapidfuzz

from bench._common import code_version, machine, markdown_table, percentile
from bot.content.catalogue import Content, load_content
from bot.content.search import SkillIndex, normalize
from tests.unit.test_skill_lookup import (
    LOOKUPS,
    NO_CLOSE_MATCH,
    NO_CONFIDENT_MATCH,
)

ROOT = Path(__file__).resolve().parent.parent

# Skills typed keystroke by keystroke in the autocomplete box: (what is typed, expected slug).
TYPED = [
    ("kubernetes", "kubernetes"),
    ("postgresql", "postgresql"),
    ("docker", "docker"),
    ("python", "python"),
    ("terraform", "terraform"),
    ("graphql", "graphql"),
    ("redis", "redis"),
    ("elasticsearch", "elasticsearch"),
    ("spring boot", "spring-boot"),
    ("github actions", "github-actions"),
    ("load balancing", "load-balancing"),
    ("rabbitmq", "rabbitmq"),
]
RANDOM_GIBBERISH = 200

Answer = Callable[[str], str | None]


def prefixes(text: str) -> list[str]:
    return [text[:n] for n in range(1, len(text) + 1)]


def typo(text: str, rng: random.Random) -> str:
    """``text`` with one random edit: a letter dropped, inserted, replaced, or two swapped."""
    i = rng.randrange(len(text))
    kind = rng.choice("dist")
    if kind == "d":
        return text[:i] + text[i + 1 :]
    if kind == "i":
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i:]
    if kind == "s":
        other = rng.choice(string.ascii_lowercase.replace(text[i], ""))
        return text[:i] + other + text[i + 1 :]
    i = min(i, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def synthetic_typos(content: Content, seed: int) -> dict[int, dict[str, str]]:
    """Seeded typo'd names and aliases -> their skill, keyed by the number of edits."""
    index = content.index
    rng = random.Random(seed)
    cases: dict[int, dict[str, str]] = {1: {}, 2: {}}
    for skill in sorted(content.skills.values(), key=lambda s: s.slug):
        for raw in (skill.name, *skill.aliases):
            term = raw.casefold()
            owner = index.exact(term)
            size = len(normalize(term).replace(" ", ""))
            if owner is None or owner.slug != skill.slug or size < 5:
                continue
            for edits in (1, 2) if size >= 10 else (1,):
                query = term
                for _ in range(edits):
                    query = typo(query, rng)
                if index.exact(query) is None and normalize(query) != normalize(term):
                    cases[edits].setdefault(query, skill.slug)
    return cases


def random_gibberish(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    letters = string.ascii_lowercase
    return ["".join(rng.choices(letters, k=rng.randint(4, 12))) for _ in range(count)]


def difflib_candidates(content: Content) -> dict[str, str]:
    """Lower-cased name, slug and aliases of every skill -> its slug (first owner wins)."""
    owners: dict[str, str] = {}
    for skill in content.skills.values():
        for raw in (skill.name, skill.slug, *skill.aliases):
            owners.setdefault(raw.lower(), skill.slug)
    return owners


def index_at(ref: str, content: Content) -> Any:
    """``SkillIndex`` as it was at git revision ``ref``, built over today's catalogue."""
    source = subprocess.run(
        ["git", "show", f"{ref}:bot/content/search.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType(f"search_at_{ref}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{ref}:bot/content/search.py", "exec"), module.__dict__)
    return module.SkillIndex(content.skills.values())


def timed(fn: Answer, queries: Sequence[str], repeats: int) -> tuple[list[float], list[Any]]:
    """Per-call times in µs (every query, ``repeats`` times) and each query's answer."""
    answers = [fn(q) for q in queries]  # warm-up, and the answers to score
    samples: list[float] = []
    gc.collect()
    for _ in range(repeats):
        for q in queries:
            start = time.perf_counter_ns()
            fn(q)
            samples.append((time.perf_counter_ns() - start) / 1000)
    return samples, answers


@dataclass
class Method:
    """One way of answering: its resolve and complete as slug-returning callables."""

    name: str
    resolve: Answer
    complete: Answer
    repeats: int
    # Whether resolve left the query without a card, and without suggestions.
    rejects: Callable[[str], tuple[bool, bool]]


def index_method(name: str, index: Any, repeats: int) -> Method:
    def resolve(q: str) -> str | None:
        found = index.resolve(q).skill
        return found.slug if found else None

    def complete(q: str) -> str | None:
        found = index.complete(q)
        return found[0].slug if found else None

    def rejects(q: str) -> tuple[bool, bool]:
        lookup = index.resolve(q)
        return lookup.skill is None, lookup.skill is None and not lookup.suggestions

    return Method(name, resolve, complete, repeats, rejects)


def difflib_method(content: Content, repeats: int) -> Method:
    owners = difflib_candidates(content)
    candidates = list(owners)

    def close_match(n: int) -> Answer:
        def run(q: str) -> str | None:
            found = difflib.get_close_matches(q.lower(), candidates, n=n)
            return owners[found[0]] if found else None

        return run

    def rejects(q: str) -> tuple[bool, bool]:
        none = close_match(1)(q) is None
        return none, none

    return Method("difflib", close_match(1), close_match(25), repeats, rejects)


def us(value: float) -> str:
    return f"{value:,.1f}"


def accuracy(answers: Sequence[str | None], expected: Sequence[str]) -> str:
    hits = sum(a == e for a, e in zip(answers, expected, strict=True))
    return f"{hits}/{len(expected)} ({100 * hits / len(expected):.1f}%)"


def keystrokes(answers: Sequence[str | None], slug: str) -> str:
    """How many characters until ``slug`` is first and stays first; '-' if it never is."""
    for n in range(1, len(answers) + 1):
        if all(a == slug for a in answers[n - 1 :]):
            return f"{n}/{len(answers)}"
    return "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed passes over the queries")
    parser.add_argument(
        "--difflib-repeats", type=int, default=1, help="timed passes for the slow baselines"
    )
    parser.add_argument("--seed", type=int, default=10, help="seed of the synthetic queries")
    parser.add_argument("--before", metavar="REF", help="also measure search.py at git REF")
    args = parser.parse_args()

    start = time.perf_counter()
    content = load_content()
    load_ms = (time.perf_counter() - start) * 1000
    skills = list(content.skills.values())
    builds = []
    for _ in range(5):
        gc.collect()
        start = time.perf_counter()
        index = SkillIndex(skills, cache_size=0)
        builds.append((time.perf_counter() - start) * 1000)

    methods = [
        index_method("index", index, args.repeats),
        index_method("index + LRU cache", SkillIndex(skills), args.repeats),
    ]
    if args.before:
        methods.append(
            index_method(
                f"before ({args.before})",
                index_at(args.before, content),
                args.difflib_repeats,
            )
        )
    methods.append(difflib_method(content, args.difflib_repeats))

    typos = synthetic_typos(content, args.seed)
    gibberish = random_gibberish(RANDOM_GIBBERISH, args.seed)
    exact_q = [q for q in LOOKUPS if index.exact(q) is not None]
    fuzzy_q = [q for q in LOOKUPS if index.exact(q) is None]
    typo_q = {**typos[1], **typos[2]}
    typed_q = [p for text, _ in TYPED for p in prefixes(text)]
    typed_expected = [slug for text, slug in TYPED for _ in prefixes(text)]

    facts = machine()
    facts["rapidfuzz"] = rapidfuzz.__version__
    facts["commit"] = code_version(["bot/content", "bench/lookup.py"])
    print("; ".join(f"{k}: {v}" for k, v in facts.items()))
    print(
        f"catalogue: {len(skills)} skills, {index.term_count} folded forms, "
        f"{len(difflib_candidates(content))} difflib candidates; load_content() {load_ms:.0f} ms, "
        f"SkillIndex build median {statistics.median(builds):.1f} ms (of 5)"
    )
    print(
        f"queries: {len(LOOKUPS)} labelled ({len(exact_q)} exact, {len(fuzzy_q)} fuzzy), "
        f"{len(typos[1])} + {len(typos[2])} synthetic typos (1 + 2 edits, seed {args.seed}), "
        f"{len(typed_q)} typed prefixes of {len(TYPED)} skills, "
        f"{len(NO_CLOSE_MATCH)} + {len(gibberish)} gibberish; {args.repeats} timed passes "
        f"({args.difflib_repeats} for difflib and the before index)\n"
    )

    # -- timing -----------------------------------------------------------------------------
    workloads: list[tuple[str, str, Sequence[str]]] = [
        ("resolve", "labelled lookups", list(LOOKUPS)),
        ("resolve", "  of which exact", exact_q),
        ("resolve", "  of which fuzzy", fuzzy_q),
        ("resolve", "synthetic typos", list(typo_q)),
        ("resolve", "  of which 1 edit", list(typos[1])),
        ("resolve", "  of which 2 edits", list(typos[2])),
        ("resolve", "gibberish", [*NO_CLOSE_MATCH, *gibberish]),
        ("complete", "typed prefixes", typed_q),
        ("complete", "synthetic typos", list(typo_q)),
    ]
    answers: dict[tuple[str, str, str], list[Any]] = {}
    medians: dict[tuple[str, str, str], float] = {}
    rows = []
    for call, label, queries in workloads:
        cells: list[str] = [f"{call}, {label} ({len(queries)})"]
        for method in methods:
            fn = method.resolve if call == "resolve" else method.complete
            samples, got = timed(fn, queries, method.repeats)
            answers[(method.name, call, label)] = got
            medians[(method.name, call, label)] = statistics.median(samples)
            cells += [us(statistics.median(samples)), us(percentile(samples, 0.95))]
        ratio = medians[("difflib", call, label)] / medians[("index", call, label)]
        rows.append([*cells, f"{ratio:,.0f}×"])
    headers = ["µs per call"]
    for method in methods:
        headers += [f"{method.name} median", "p95"]
    headers.append("difflib ÷ index (medians)")
    print(markdown_table(headers, rows) + "\n")

    # -- accuracy ---------------------------------------------------------------------------
    def got(method: Method, call: str, label: str) -> list[Any]:
        return answers[(method.name, call, label)]

    one = [q for q in typo_q if q in typos[1]]
    rows = [
        [f"labelled lookups ({len(LOOKUPS)}), resolve"]
        + [accuracy(got(m, "resolve", "labelled lookups"), list(LOOKUPS.values())) for m in methods]
    ]
    for edits, subset in ((1, one), (2, [q for q in typo_q if q in typos[2]])):
        picked = [list(typo_q).index(q) for q in subset]
        for call in ("resolve", "complete"):
            rows.append(
                [f"synthetic typos, {edits} edit{'s' * (edits > 1)} ({len(subset)}), {call}"]
                + [
                    accuracy(
                        [got(m, call, "synthetic typos")[i] for i in picked],
                        [typo_q[q] for q in subset],
                    )
                    for m in methods
                ]
            )
    rows.append(
        [f"typed prefixes ({len(typed_q)}), complete"]
        + [accuracy(got(m, "complete", "typed prefixes"), typed_expected) for m in methods]
    )
    print(markdown_table(["top-1 (the expected skill first)", *(m.name for m in methods)], rows))
    print()

    rows = []
    for label, queries in (
        (f"NO_CLOSE_MATCH ({len(NO_CLOSE_MATCH)})", NO_CLOSE_MATCH),
        (f"random letters ({len(gibberish)})", gibberish),
        (f"NO_CONFIDENT_MATCH ({len(NO_CONFIDENT_MATCH)})", NO_CONFIDENT_MATCH),
    ):
        cells = [label]
        for method in methods:
            outcomes = [method.rejects(q) for q in queries]
            no_card = sum(a for a, _ in outcomes)
            nothing = sum(b for _, b in outcomes)
            cells.append(
                f"{100 * no_card / len(queries):.1f}% / {100 * nothing / len(queries):.1f}%"
            )
        rows.append(cells)
    print("gibberish rejected: no card / no card and no suggestions (difflib: no match)")
    print(markdown_table(["queries", *(m.name for m in methods)], rows) + "\n")

    # -- misses, so the accuracy figures can be checked by eye --------------------------------
    for method in methods:
        misses = [
            f"{q!r}->{a}"
            for q, a in zip(LOOKUPS, got(method, "resolve", "labelled lookups"), strict=True)
            if a != LOOKUPS[q]
        ]
        print(f"{method.name}, labelled misses: {', '.join(misses) or 'none'}")
        shown = [
            f"{q!r}->{a}"
            for q, a in zip(typo_q, got(method, "resolve", "synthetic typos"), strict=True)
            if a is not None and a != typo_q[q]
        ]
        print(
            f"{method.name}, synthetic typos resolved to another skill: {', '.join(shown) or 'none'}"
        )
    answered = []
    for q in [*NO_CLOSE_MATCH, *gibberish]:
        lookup = index.resolve(q)
        if lookup.skill is not None:
            answered.append(f"{q!r}->{lookup.skill.slug}")
        elif lookup.suggestions:
            answered.append(f"{q!r}->{[s.slug for s in lookup.suggestions]}")
    print(f"index, gibberish given a card or suggestions: {', '.join(answered) or 'none'}\n")

    # -- keystrokes until the skill being typed is the first suggestion (and stays first) ----
    rows = []
    offset = 0
    for text, slug in TYPED:
        n = len(text)
        cells = [f"{text} ({slug})"]
        for method in methods:
            typed_answers = got(method, "complete", "typed prefixes")
            cells.append(keystrokes(typed_answers[offset : offset + n], slug))
        rows.append(cells)
        offset += n
    print(markdown_table(["typed: keys to top-1", *(m.name for m in methods)], rows))


if __name__ == "__main__":
    main()
