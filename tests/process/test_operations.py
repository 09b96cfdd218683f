"""What an operator sees of a running ``python -m bot run``: metrics and log lines."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import aiohttp

from tests.e2e.harness import populate, started_sandbox
from tests.process.harness import (
    BotProcess,
    bot_env,
    bot_processes,
    process_database,
    schedule_daily,
)
from tests.process.test_delivery import daily_posts, until, until_health, until_logged


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 if absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in metrics.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_after_a_scripted_session(tmp_path: Path) -> None:
    port = free_port()
    async with started_sandbox() as sandbox, process_database("sqlite", tmp_path) as url:
        world = populate(sandbox)
        bot = BotProcess(
            bot_env(sandbox, url, tmp_path, METRICS_PORT=str(port), LOG_FORMAT="json"), tmp_path
        )
        async with bot_processes(bot):
            await until_logged(bot, "Caught up after start")
            await sandbox.run_command("help", user=world.alice, guild=world.guild)
            await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="postgres")
            refused = await sandbox.run_command(
                "study log", user=world.alice, guild=world.guild, minutes=601, unchecked=True
            )
            assert refused.ephemeral
            await schedule_daily(url, [(world.guild.id, world.guild.general.id)])
            await until(sandbox, lambda: daily_posts(sandbox, world.guild), "the daily question")
            post = daily_posts(sandbox, world.guild)[0]
            verdict = await sandbox.click(post, "A", user=world.bob)
            assert verdict.embeds, verdict.content
            await until_health(bot, "healthy")  # a heartbeat has updated the gateway gauges
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{port}/metrics") as response,
            ):
                assert response.status == 200
                text = await response.text()
            assert await bot.stop() == 0
    assert sample(text, "mentor_interactions_total", command="help", outcome="ok") == 1
    assert sample(text, "mentor_interactions_total", command="skill", outcome="ok") == 1
    assert sample(text, "mentor_interactions_total", command="study log", outcome="user_error") == 1
    assert sample(text, "mentor_interactions_total", command="DailyChoice", outcome="ok") == 1
    assert sample(text, "mentor_interaction_seconds_count", command="help") == 1
    assert sample(text, "mentor_deliveries_total", kind="daily", result="sent") == 1
    assert sample(text, "mentor_gateway_connected", shard="0") == 1
    assert "mentor_database_errors_total" in text and "mentor_shard_latency_seconds" in text
    # JSON log lines, one per line, with an ISO time in UTC; one line for the post sent.
    lines = [json.loads(line) for line in bot.logs().splitlines() if line.startswith("{")]
    assert lines and all(line["time"].endswith("+00:00") for line in lines)
    assert sum("Sent daily" in line["message"] for line in lines) == 1
