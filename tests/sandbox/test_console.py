"""The console: its line parser, its renderer, and a session against the bare bot."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

from sandbox import Message, Sandbox, User
from sandbox.console import CommandLine, Console, parse_command_line, render_message
from tests.sandbox.barebot import BareBot
from tests.sandbox.conftest import World


def test_parse_path_and_options() -> None:
    assert parse_command_line("/skill name: postgres") == CommandLine("skill", {"name": "postgres"})
    assert parse_command_line("/quiz practice topic: docker difficulty: beginner") == CommandLine(
        "quiz practice", {"topic": "docker", "difficulty": "beginner"}
    )
    assert parse_command_line("/help") == CommandLine("help", {})
    assert parse_command_line(
        "  /study   log minutes:30 note: read about http://x.io caching "
    ) == (CommandLine("study log", {"minutes": "30", "note": "read about http://x.io caching"}))
    assert parse_command_line('/echo text: "a: b"') == CommandLine("echo", {"text": "a: b"})
    assert parse_command_line("/echo text: 'quoted value'") == CommandLine(
        "echo", {"text": "quoted value"}
    )


def test_values_with_colons_and_spaces() -> None:
    """``name: value`` with a space works for every option, also when the value has a colon."""
    assert parse_command_line("/remind set time: 20:00") == CommandLine(
        "remind set", {"time": "20:00"}
    )
    assert parse_command_line("/remind set time: 7:30 pm where: dm", ["time", "where"]) == (
        CommandLine("remind set", {"time": "7:30 pm", "where": "dm"})
    )
    assert parse_command_line("/echo text: see: this times: 2", ["text", "times"]) == (
        CommandLine("echo", {"text": "see: this", "times": "2"})
    )
    assert parse_command_line("/remind set 20:00", ["time", "where"]) == CommandLine(
        "remind set 20:00", {}
    )


async def test_console_values_with_colons(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    out = io.StringIO()
    console = Console(sandbox, world.guild, world.guild.general, world.alice, out)
    await console.run(
        _lines("/echo text: 20:00 times: 2", "/echo text: note: a: b loud: yes", "/echo 7:30 pm")
    )
    text = out.getvalue()
    assert "20:00 20:00 | ratio=1.0" in text
    assert "NOTE: A: B | ratio=1.0" in text
    assert "7:30 pm | ratio=1.0" in text
    assert "!" not in text.replace("ratio", "")


def test_render_embed_attachments_and_numbered_controls() -> None:
    author = User(id=1, username="bot", bot=True)
    message = Message(
        id=2,
        channel_id=3,
        guild_id=None,
        author=author,
        content="Here you go",
        flags=64,
        embeds=[
            {
                "title": "Docker",
                "description": "Containers.",
                "fields": [
                    {"name": "Level", "value": "core"},
                    {"name": "\u200b", "value": "more of the field above"},
                    {"name": "Commands", "value": "`/a` — one\n`/b` — two"},
                ],
                "image": {"url": "attachment://card.png"},
                "footer": {"text": "Backend Mentor"},
            }
        ],
        components=[
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 1, "label": "Quiz me", "custom_id": "q"},
                    {"type": 2, "style": 5, "label": "Docs", "url": "https://docs.docker.com"},
                ],
            },
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": "lvl",
                        "placeholder": "Level",
                        "options": [{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
                    }
                ],
            },
        ],
    )
    lines, controls = render_message(message)
    assert lines == [
        "(only you can see this)",
        "Here you go",
        "== Docker ==",
        "Containers.",
        "Level: core",
        "more of the field above",
        "Commands:",
        "`/a` — one",
        "`/b` — two",
        "[image] card.png",
        "-- Backend Mentor",
        "  [1] Quiz me",
        "  [2] Docs -> https://docs.docker.com",
        "  [3] Level: a | b",
    ]
    assert [getattr(c, "label", None) or c.custom_id for c in controls] == [
        "Quiz me",
        "Docs",
        "lvl",
    ]


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def test_console_session(sandbox: Sandbox, world: World, bot: BareBot) -> None:
    out = io.StringIO()
    console = Console(sandbox, world.guild, world.guild.general, world.alice, out)
    await console.run(
        _lines(
            "/skil name: docker",
            "/skill name: docker",
            "1",
            "",
            "/skill docker",
            "6 expert",
            "5",
            "4",
            "layers",
            "",
            "/quiz practise topic: redis",
            "/quiz practice topic: redis difficulty: Advanced",
            "/slow",
            "/dm",
            "9",
            "/challenge",
            "1",
            "quit",
            "/never reached",
        )
    )
    text = out.getvalue()
    assert "! Unknown command /skil. Did you mean: /skill" in text
    assert "== Docker ==\nAll about docker\nLevel: core\n-- Backend Mentor\n  [1] Quiz me" in text
    assert "(only you can see this)\nQuiz on docker: what is a layer?" in text
    assert "(only you can see this)\nlevel=expert" in text
    assert "! button 'Docs' is a link (https://docs.docker.com/); it opens no interaction" in text
    assert "== Your answer == (answer each field;" in text
    assert "optional one)\nAnswer:\nNote (optional):" in text
    assert "docker: answer=layers note=-" in text
    assert "! Unknown command /quiz practise. Did you mean: /quiz practice" in text
    assert "practice redis at advanced" in text
    assert "slow answer" in text
    assert "[DM]\nhello in private" in text
    assert "! no control [9] on the last reply" in text
    assert "## Weekly challenge\nBuild a small REST API.\n  [1] Done" in text
    assert "Completed, well done.\n  [1] Completed (disabled)" in text
    assert "never" not in text
