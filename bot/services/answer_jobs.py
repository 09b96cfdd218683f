"""What a click asks the answer writer to store: a daily answer, a private answer, "I did it".

The jobs are plain data; ``bot.services.answers`` writes them in batches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.content.schema import Challenge
from bot.services.quiz_bank import ShownQuestion

if TYPE_CHECKING:
    from bot.services.practice import Prompt


@dataclass(frozen=True)
class OpenPost:
    """What a click on a daily question needs to know about its post (kept in memory)."""

    post_id: int
    guild_id: int
    shown: ShownQuestion
    closed: bool


@dataclass(frozen=True)
class DailyAnswer:
    """A member's click on a guild's daily question."""

    post: OpenPost
    user_id: int
    display_name: str
    position: int
    at: datetime


@dataclass(frozen=True)
class PromptAnswer:
    """A member's click on a private practice, review, placement or interview question."""

    prompt: Prompt
    user_id: int
    display_name: str
    position: int
    at: datetime
    timed_out: bool = False
    """An interview answer after the time limit: stored, counted wrong."""

    @property
    def prompt_id(self) -> int:
        """The id of the prompt this answers."""
        return self.prompt.prompt_id


@dataclass(frozen=True)
class ChallengeDone:
    """A member's "I did it" on a weekly challenge."""

    challenge: Challenge
    guild_id: int
    user_id: int
    display_name: str
    at: datetime


AnswerJob = DailyAnswer | PromptAnswer | ChallengeDone
