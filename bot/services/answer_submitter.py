"""The batched answer writer a service hands its clicks to: the process's, else its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.content.catalogue import Content
from bot.db.engine import Database

if TYPE_CHECKING:
    from bot.services.answers import AnswerWriter  # answers imports the services using this


class AnswerSubmitter:
    """A service whose clicks are written by ``bot.services.answers``' group commit."""

    _db: Database
    _content: Content
    _answers: AnswerWriter | None

    def _writer(self) -> AnswerWriter:
        """The answer writer given at construction, else one of this service's own."""
        if self._answers is None:  # built on its own (tests, scripts): a writer of its own
            from bot.services.answers import answer_writer
            from bot.services.contexts import GuildContexts

            self._answers = answer_writer(self._db, self._content, GuildContexts())
        return self._answers
