"""Settings validation and secret redaction."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings
from bot.logs import REDACTED, RedactSecrets

TOKEN = "MTIzNDU2Nzg5.abcdef.secret-token-value"


def settings(**values: object) -> Settings:
    return load_settings(_env_file=None, **values)


def test_defaults_use_sqlite_under_var() -> None:
    loaded = settings()
    assert loaded.database_url.startswith("sqlite+aiosqlite:///")
    assert loaded.database_url.endswith("/var/mentor.db")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"shard_ids": "0,1"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"shard_ids": "0,3", "shard_count": 2}, "below SHARD_COUNT"),
        ({"database_url": "sqlite:///x.db"}, "uses the driver 'sqlite'"),
        ({"log_level": "chatty"}, "LOG_LEVEL must be one of"),
    ],
)
def test_malformed_settings_give_one_sentence(values: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        settings(**values)
    assert "\n" not in str(error.value)


def test_token_is_required_only_to_run() -> None:
    with pytest.raises(SettingsError, match="DISCORD_TOKEN is not set"):
        settings().token()
    assert settings(discord_token=f"  {TOKEN} ").token() == TOKEN
    assert TOKEN not in repr(settings(discord_token=TOKEN))


def test_the_token_never_reaches_a_log_line() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "connecting with %s", (TOKEN,), None
    )
    try:
        raise RuntimeError(f"bad auth header Bot {TOKEN}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    RedactSecrets([TOKEN]).filter(record)
    formatted = logging.Formatter().format(record)
    assert TOKEN not in formatted
    assert formatted.count(REDACTED) >= 2


def test_log_lines_carry_an_iso_date_in_utc_and_json_is_one_object_per_line() -> None:
    import json
    import logging

    from bot.logs import IsoFormatter, JsonFormatter

    record = logging.LogRecord("bot.app", logging.INFO, __file__, 1, "Sent %s", ("daily",), None)
    record.created = 1_796_000_000.5  # 2026-11-30T...Z
    text = IsoFormatter().format(record)
    assert text.startswith("2026-") and "T" in text.split()[0] and "+00:00" in text.split()[0]
    assert text.endswith("INFO    bot.app: Sent daily")
    entry = json.loads(JsonFormatter().format(record))
    assert entry == {
        "time": text.split()[0],
        "level": "INFO",
        "logger": "bot.app",
        "message": "Sent daily",
    }


def test_discord_unreachable_is_one_line(tmp_path: Path) -> None:
    """With a token set and nothing listening, `run` says so in one line, no traceback."""
    env = {
        **os.environ,
        "DISCORD_TOKEN": "abc.def.ghi",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",
        "HEALTH_FILE": str(tmp_path / "heartbeat"),
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot reach Discord" in lines[0], done.stderr
    assert "Traceback" not in done.stdout + done.stderr
