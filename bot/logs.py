"""Logging set-up with secret redaction, so the token never reaches a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime

REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Replaces every occurrence of the given secrets in a record's final message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the secrets in the record's message and error text; never drops a record."""
        if not self._secrets:
            return True
        message = record.getMessage()
        text = message
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, REDACTED)
        if text != message:
            record.msg, record.args = text, None
        return True


class IsoFormatter(logging.Formatter):
    """``2026-12-02T01:50:00.123+00:00 INFO    bot.app: message``: full date, in UTC, with the zone."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The record's time as ISO 8601 in UTC, to the millisecond."""
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(IsoFormatter):
    """One JSON object per line, for log collectors: time, level, logger, message, error."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (time, level, logger, message and any error)."""
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, secrets: Iterable[str] = (), *, json_lines: bool = False) -> None:
    """Log to stderr at ``level``; quieten chatty libraries; redact ``secrets``."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else IsoFormatter())
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # discord.client warns that voice libraries are missing; this bot has no voice features.
    logging.getLogger("discord.client").setLevel(logging.ERROR)
    for noisy in ("discord.gateway", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.getLevelName(level), logging.WARNING))
    # A delivery tick that outlasts its interval (retries in progress) is normal, not news.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
