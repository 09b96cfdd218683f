"""Settings from the environment and an optional ``.env`` file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.db.engine import SQLITE_BUSY_TIMEOUT_MS

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'mentor.db'}"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one sentence for the user."""


class Settings(BaseSettings):
    """Everything the bot can be configured with. See the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: Annotated[list[int] | None, NoDecode] = None
    # How long a write waits for another connection's lock on a SQLite database before
    # it fails (PostgreSQL waits on its own terms).
    sqlite_busy_timeout_seconds: float = Field(default=SQLITE_BUSY_TIMEOUT_MS / 1000, gt=0)
    delivery_tick_seconds: float = Field(default=5.0, gt=0)
    delivery_lease_seconds: float = Field(default=90.0, gt=0)
    delivery_retry_seconds: float = Field(default=60.0, ge=0)
    delivery_nonce_window_seconds: float = Field(default=120.0, ge=0)
    # Discord's global limit per bot token (requests/s); scheduled posts are paced under
    # each process's share of it.
    discord_global_rate_limit: int = Field(default=50, ge=1)
    health_file: Path = PROJECT_ROOT / "var" / "heartbeat"
    health_interval_seconds: float = Field(default=15.0, gt=0)

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _parse_shard_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return [int(p) for p in parts] or None
            except ValueError:
                raise ValueError("must be a comma-separated list of numbers, e.g. 0,1") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in logging.getLevelNamesMapping():
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL") from None
        if url.drivername not in SUPPORTED_DRIVERS:
            raise ValueError(
                f"uses the driver {url.drivername!r}; use sqlite+aiosqlite:///path.db "
                "or postgresql+asyncpg://user@host/db"
            )
        return value

    @model_validator(mode="after")
    def _shards_consistent(self) -> Settings:
        if self.shard_ids and self.shard_count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT as well")
        if self.shard_ids and self.shard_count and max(self.shard_ids) >= self.shard_count:
            raise ValueError("every SHARD_IDS entry must be below SHARD_COUNT")
        return self

    def token(self) -> str:
        """The bot token, or a SettingsError saying how to get one."""
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise SettingsError(
                "DISCORD_TOKEN is not set: put your bot token in the environment or in .env "
                "(see README, 'Going live'), or run `python -m bot console` for the sandbox."
            )
        return self.discord_token.get_secret_value().strip()


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning any validation failure into one clear SettingsError.

    ``overrides`` are field values (validated like the environment's) or BaseSettings'
    own options such as ``_env_file``.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        message = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{name} {message}.") from None
