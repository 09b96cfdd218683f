"""Start-up: from process start (and from ``bot.start``) to READY with many guilds, and RSS.

Each bot runs in a process of its own against one sandbox holding ``--guilds`` guilds:
the bare discord.py bot (``BareBot``, discord.py's defaults) and the real Backend Mentor
(its content, a fresh SQLite database migrated at start, every cog). Rounds alternate
the two; medians are reported, with the ratio. Peak RSS is read at READY, and for Backend
Mentor once its timezone place index (built in the background from the start) is ready too.

    .venv/bin/python -m bench.startup [--guilds 2500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time

from bench._bot import BareBot
from bench._common import machine_line
from sandbox.harness import started_sandbox


async def child(kind: str, started: float) -> None:
    """Run one bot until READY; print the timings and peak RSS as JSON, then exit."""
    from bot.config import load_settings
    from bot.runner import build_bot, use_endpoints
    from bot.services.places import place_index

    settings = load_settings()
    use_endpoints(settings)
    bot = BareBot() if kind == "bare" else await build_bot(settings)
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    bot.add_listener(on_ready, "on_ready")
    began = time.perf_counter()
    task = asyncio.create_task(bot.start(settings.token()))
    await asyncio.wait_for(ready.wait(), 120)
    now = time.perf_counter()
    if kind == "mentor":  # its build counts in the peak even when it ends after READY
        await asyncio.to_thread(place_index)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"from_start": now - began, "from_process": now - started, "rss_mb": rss_mb}))
    await bot.close()
    await task


async def one_run(kind: str, env: dict[str, str]) -> dict[str, float]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        __spec__.name,
        "--child",
        kind,
        "--started",
        repr(time.perf_counter()),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    lines = out.decode().strip().splitlines()
    if process.returncode or not lines:
        raise RuntimeError(f"the {kind} bot failed:\n{err.decode()[-2000:]}")
    return json.loads(lines[-1])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guilds", type=int, default=2500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["bare", "mentor"])
    parser.add_argument("--started", type=float)
    args = parser.parse_args()
    if args.child:
        await child(args.child, args.started)
        return
    results: dict[str, list[dict[str, float]]] = {"bare": [], "mentor": []}
    async with started_sandbox(timeout=120.0) as box:
        for i in range(args.guilds):
            box.add_guild(f"Server {i}")
        with tempfile.TemporaryDirectory() as folder:
            for round_ in range(args.rounds):
                for kind in ("bare", "mentor"):
                    env = {
                        **os.environ,
                        "DISCORD_TOKEN": box.token,
                        "DISCORD_API_BASE": box.api_base,
                        "DISCORD_GATEWAY_URL": box.gateway_url,
                        "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/{kind}{round_}.db",
                        "LOG_LEVEL": "WARNING",
                        "HEALTH_FILE": f"{folder}/heartbeat",
                    }
                    results[kind].append(await one_run(kind, env))
    print(f"# {machine_line()}")
    print(f"## start to READY with {args.guilds} guilds, median of {args.rounds} rounds")
    print(f"{'bot':<34} {'from bot.start s':>17} {'from process s':>15} {'peak RSS MB':>12}")
    medians = {}
    for kind, label in (("bare", "bare discord.py (defaults)"), ("mentor", "Backend Mentor")):
        rows = results[kind]
        medians[kind] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        m = medians[kind]
        print(
            f"{label:<34} {m['from_start']:>17.2f} {m['from_process']:>15.2f} {m['rss_mb']:>12.0f}"
        )
    ratio = medians["mentor"]["from_start"] / medians["bare"]["from_start"]
    print(f"ratio (Backend Mentor / bare), bot.start to READY: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
