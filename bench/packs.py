"""Server question packs: importing 1,000 questions, and picking from a server with them.

1. Validation: 1,000 questions (two 500-question files, a pack's limit) parsed and
   validated by ``parse_pack`` (schema, skill check, per-question fairness checks,
   duplicate prompts against the 700+ shipped ones), in TOML, JSON and CSV.
2. Storage: the same 1,000 questions stored by ``PackService.import_pack`` (two
   transactions of 500) on SQLite and PostgreSQL, each run in a new server.
3. Picking: ``QuestionBank.pick_practice`` and ``pick_daily`` for a server whose packs
   hold those 1,000 questions (mix 100 %), against a server with no pack.

    .venv/bin/python -m bench.packs [--runs 5] [--picks 300]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench._common import (
    POSTGRES_URL,
    code_version,
    create_schema,
    drop_schema,
    machine_line,
    markdown_table,
    percentile,
    postgres_version,
)
from bot.clock import FrozenClock
from bot.content.catalogue import Content, load_content
from bot.content.packfile import MAX_PACK_QUESTIONS, parse_pack
from bot.db import migrate
from bot.db.engine import Database
from bot.services.packs import PackService, QuestionBank

QUESTIONS = 1000
START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def corpus(content: Content, count: int = QUESTIONS) -> list[dict]:
    """``count`` valid, non-shipped questions: the shipped ones, reworded and renumbered."""
    shipped = sorted(content.questions.values(), key=lambda q: q.id)
    out = []
    for i in range(count):
        q = shipped[i % len(shipped)]
        out.append(
            {
                "id": f"course-{i}",
                "skill": q.skill,
                "difficulty": q.difficulty.value,
                "prompt": f"Course week {i // 50 + 1}, question {i}: {q.prompt}"[:400],
                "choices": list(q.choices),
                "answer": q.answer,
                "explanation": q.explanation,
                "source": str(q.source),
            }
        )
    return out


def as_toml(questions: list[dict]) -> bytes:
    lines = []
    for q in questions:
        lines.append("[[question]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in q.items()]
        lines.append("")
    return "\n".join(lines).encode()


def as_json(questions: list[dict]) -> bytes:
    return json.dumps({"question": questions}, indent=2).encode()


def _text(cell: object) -> object:
    """A cell a spreadsheet would take as a formula, marked as text with a leading '."""
    text = str(cell)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else cell


def as_csv(questions: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [*("id", "skill", "difficulty", "prompt", "choice_1", "choice_2", "choice_3"),
         *("choice_4", "answer", "explanation", "source")]
    )  # fmt: skip
    for q in questions:
        choices = [*q["choices"], "", "", ""][:4]
        cells = [q["id"], q["skill"], q["difficulty"], q["prompt"], *choices,
                 q["answer"], q["explanation"], q["source"]]  # fmt: skip
        writer.writerow([_text(c) for c in cells])
    return buffer.getvalue().encode()


def files(questions: list[dict], fmt: str) -> list[tuple[str, bytes]]:
    """The corpus as pack files of at most a pack's limit each."""
    write = {"toml": as_toml, "json": as_json, "csv": as_csv}[fmt]
    return [
        (f"part-{i}.{fmt}", write(questions[i : i + MAX_PACK_QUESTIONS]))
        for i in range(0, len(questions), MAX_PACK_QUESTIONS)
    ]


def validation(content: Content, questions: list[dict], runs: int) -> list[list[object]]:
    rows = []
    for fmt in ("toml", "json", "csv"):
        packs = files(questions, fmt)
        size = sum(len(data) for _, data in packs)
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            parsed = [parse_pack(name, data, content) for name, data in packs]
            times.append(time.perf_counter() - began)
            assert sum(len(p.questions) for p in parsed) == len(questions)
        median = statistics.median(times)
        rows.append(
            [
                fmt,
                f"{size / 1024:,.0f} KB",
                f"{median * 1000:,.1f}",
                f"{min(times) * 1000:,.1f}",
                f"{len(questions) / median:,.0f}",
            ]
        )
    return rows


async def storage(
    db: Database, content: Content, questions: list[dict], runs: int, picks: int
) -> tuple[list[object], list[list[object]]]:
    clock = FrozenClock(START)
    bank = QuestionBank(content, random.Random(7))
    service = PackService(db, clock, bank)
    parsed = [parse_pack(n, d, content) for n, d in files(questions, "toml")]
    times = []
    for run in range(runs):
        guild = 10_000 + run
        began = time.perf_counter()
        for index, pack in enumerate(parsed):
            await service.import_pack(
                guild_id=guild, name=f"part-{index}", pack=pack, moderator_id=1
            )
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    store_row: list[object] = [
        db.dialect,
        runs,
        f"{median * 1000:,.1f}",
        f"{min(times) * 1000:,.1f}",
        f"{len(questions) / median:,.0f}",
    ]

    await service.set_mix(10_000, 100)
    pick_rows = []
    for label, guild in (("1,000 pack questions, mix 100 %", 10_000), ("no pack", 99)):
        for what in ("practice", "daily"):
            latencies = []
            for _ in range(picks):
                began = time.perf_counter()
                async with db.read() as session:
                    if what == "practice":
                        question = await bank.pick_practice(
                            session, guild, topic=None, difficulty=None, recent=[]
                        )
                    else:
                        question, _ = await bank.pick_daily(
                            session, guild, topics=None, used=set(), last_category=None
                        )
                latencies.append(time.perf_counter() - began)
                assert question is not None
                assert question.id.startswith("pack:") == (guild == 10_000)
            pick_rows.append(
                [
                    db.dialect,
                    label,
                    what,
                    picks,
                    f"{statistics.median(latencies) * 1000:.2f}",
                    f"{percentile(latencies, 0.99) * 1000:.2f}",
                ]
            )
    return store_row, pick_rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--picks", type=int, default=300)
    args = parser.parse_args()
    content = load_content()
    questions = corpus(content)
    print(f"Machine: {machine_line(await postgres_version())}")
    print(f"Code: {code_version(['bot', 'bench'])}")
    print(f"\n1,000 questions, parsed and validated ({args.runs} runs)\n")
    print(
        markdown_table(
            ["format", "file size", "median ms", "best ms", "questions/s"],
            validation(content, questions, args.runs),
        )
    )
    store_rows, pick_rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await migrate.upgrade(sqlite)
        store, picked = await storage(sqlite, content, questions, args.runs, args.picks)
        store_rows.append(store)
        pick_rows += picked
        await sqlite.close()
    schema = await create_schema(prefix="bench_packs")
    try:
        postgres = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
        await migrate.upgrade(postgres)
        store, picked = await storage(postgres, content, questions, args.runs, args.picks)
        store_rows.append(store)
        pick_rows += picked
        await postgres.close()
    finally:
        await drop_schema(schema)
    print("\n1,000 questions stored (two imports of 500, each a new server)\n")
    print(markdown_table(["database", "runs", "median ms", "best ms", "questions/s"], store_rows))
    print("\nPicking a question (a read transaction each)\n")
    print(markdown_table(["database", "server", "pick", "calls", "median ms", "p99 ms"], pick_rows))


if __name__ == "__main__":
    asyncio.run(main())
