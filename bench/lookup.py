"""Skill lookup benchmark: ``SkillIndex.resolve`` / ``complete`` against difflib.

Run from the repository root::

    .venv/bin/python bench/lookup.py

Free-text queries are the labelled table ``LOOKUPS`` of tests/unit/test_skill_lookup.py
(query -> expected slug). Autocomplete queries are prefixes of a few skill names typed
keystroke by keystroke ("k", "ku", "kub", ...); a prefix counts as a top-1 hit when the
first suggestion is the skill being typed.

The baseline is ``difflib.get_close_matches`` (default cutoff 0.6) over the same
candidate strings the index holds: every skill's name, slug and aliases, lower-cased
and mapped back to their skill. Its first match is its answer. The catalogue is the
shipped one (``load_content()``). Prints tables only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.content.catalogue import Content, load_content  # noqa: E402
from tests.unit.test_skill_lookup import LOOKUPS, NO_CONFIDENT_MATCH  # noqa: E402

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


def prefixes(text: str) -> list[str]:
    return [text[:n] for n in range(1, len(text) + 1)]


def difflib_candidates(content: Content) -> dict[str, str]:
    """Lower-cased name, slug and aliases of every skill -> its slug (first owner wins)."""
    owners: dict[str, str] = {}
    for skill in content.skills.values():
        for raw in (skill.name, skill.slug, *skill.aliases):
            owners.setdefault(raw.lower(), skill.slug)
    return owners


def percentile(samples: Sequence[float], pct: float) -> float:
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timed(
    fn: Callable[[str], str | None], queries: Sequence[str], repeats: int
) -> tuple[list[float], list[str | None]]:
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


def row(
    name: str, samples: list[float], answers: list[str | None], expected: list[str]
) -> tuple[str, float, float, str]:
    hits = sum(a == e for a, e in zip(answers, expected, strict=True))
    accuracy = f"{hits}/{len(expected)} ({100 * hits / len(expected):.0f}%)"
    return name, statistics.median(samples), percentile(samples, 99), accuracy


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[f"{c:,.1f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells:
        pairs = enumerate(zip(r, widths, strict=True))
        aligned = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs]
        print("| " + " | ".join(aligned) + " |")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed passes over the queries")
    parser.add_argument(
        "--difflib-repeats", type=int, default=5, help="timed passes for the (slow) baseline"
    )
    args = parser.parse_args()

    start = time.perf_counter()
    content = load_content()
    load_ms = (time.perf_counter() - start) * 1000
    index = content.index
    owners = difflib_candidates(content)
    candidates = list(owners)

    def resolve(q: str) -> str | None:
        found = index.resolve(q).skill
        return found.slug if found else None

    def complete(q: str) -> str | None:
        found = index.complete(q)
        return found[0].slug if found else None

    def close_match(n: int) -> Callable[[str], str | None]:
        def run(q: str) -> str | None:
            found = difflib.get_close_matches(q.lower(), candidates, n=n)
            return owners[found[0]] if found else None

        return run

    lookup_q = list(LOOKUPS)
    lookup_expected = list(LOOKUPS.values())
    typed_q = [p for text, _ in TYPED for p in prefixes(text)]
    typed_expected = [slug for text, slug in TYPED for _ in prefixes(text)]

    print(
        f"catalogue: {len(content.skills)} skills, {index.term_count} index terms, "
        f"{len(candidates)} difflib candidates; load_content() {load_ms:.0f} ms"
    )
    print(
        f"queries: {len(lookup_q)} labelled lookups, {len(typed_q)} autocomplete prefixes "
        f"of {len(TYPED)} skills; {args.repeats} timed passes "
        f"({args.difflib_repeats} for difflib)\n"
    )

    # Queries the index answers from its exact-match table skip the fuzzy passes entirely.
    exact_q = [q for q in lookup_q if index.exact(q) is not None]
    fuzzy_q = [q for q in lookup_q if index.exact(q) is None]
    diff_lookup = close_match(1)
    runs = [
        ("resolve, all lookups", resolve, lookup_q, args.repeats),
        (f"  of which exact hits ({len(exact_q)})", resolve, exact_q, args.repeats),
        (f"  of which fuzzy ({len(fuzzy_q)})", resolve, fuzzy_q, args.repeats),
        ("difflib, all lookups", diff_lookup, lookup_q, args.difflib_repeats),
        (f"  same {len(fuzzy_q)} fuzzy queries", diff_lookup, fuzzy_q, args.difflib_repeats),
        ("complete, typed prefixes", complete, typed_q, args.repeats),
        ("difflib (n=25), typed prefixes", close_match(25), typed_q, args.difflib_repeats),
    ]
    results = []
    for name, fn, queries, repeats in runs:
        expected = typed_expected if queries is typed_q else [LOOKUPS[q] for q in queries]
        samples, answers = timed(fn, queries, repeats)
        results.append((row(name, samples, answers, expected), answers))

    print_table(["method", "median µs", "p99 µs", "top-1 accuracy"], [r for r, _ in results])

    # Gibberish should not resolve to a card.
    rejected = sum(index.resolve(q).skill is None for q in NO_CONFIDENT_MATCH)
    diff_rejected = sum(close_match(1)(q) is None for q in NO_CONFIDENT_MATCH)
    print(
        f"NO_CONFIDENT_MATCH ({len(NO_CONFIDENT_MATCH)} queries) left unresolved: "
        f"resolve {rejected}, difflib {diff_rejected}\n"
    )

    # Misses, so the accuracy figures can be checked by eye.
    for (r, answers), queries, expected in [
        (results[0], lookup_q, lookup_expected),
        (results[3], lookup_q, lookup_expected),
    ]:
        misses = [
            f"{q!r}->{a}" for q, a, e in zip(queries, answers, expected, strict=True) if a != e
        ]
        print(f"{r[0]} misses: {', '.join(misses) or 'none'}")
    print()

    # Keystrokes until the skill being typed is the first suggestion (and stays first).
    complete_answers, diff_answers = results[5][1], results[6][1]
    rows = []
    offset = 0
    for text, slug in TYPED:
        n = len(text)
        rows.append(
            (
                f"{text} ({slug})",
                keystrokes(complete_answers[offset : offset + n], slug),
                keystrokes(diff_answers[offset : offset + n], slug),
            )
        )
        offset += n
    print_table(["typed", "complete: keys to top-1", "difflib: keys to top-1"], rows)


def keystrokes(answers: Sequence[str | None], slug: str) -> str:
    """How many characters until ``slug`` is first and stays first; '-' if it never is."""
    for n in range(1, len(answers) + 1):
        if all(a == slug for a in answers[n - 1 :]):
            return f"{n}/{len(answers)}"
    return "-"


if __name__ == "__main__":
    main()
