"""Persistent buttons: the custom ids already posted on Discord still parse to the same state."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from typing import Any

import discord
import pytest

import cogs
from bot.ui.buttons import ID, PersistentButton, PersistentItem, matching
from cogs.career import RegeneratePlan, RegenerateTrackPlan
from cogs.challenge import DoneButton
from cogs.quiz._views import DailyChoice, NextPrompt, PromptChoice
from cogs.server_packs._review import ReviewButton
from cogs.settings import CancelZoneButton, SaveZoneButton, UndoZoneButton
from cogs.skills._views import (
    LearnButton,
    OpenRelatedSelect,
    QuizMeButton,
    ShowSkillButton,
    UnlearnButton,
)
from cogs.streaks import HistoryButton
from cogs.study._timer import TimerButton

# Custom ids in the formats the bot has always posted, and the state each one carries.
POSTED: list[tuple[str, type[PersistentItem[Any]], dict[str, object]]] = [
    (
        "tz:save:80351110224678912:Europe/Berlin",
        SaveZoneButton,
        {"user_id": 80351110224678912, "zone": "Europe/Berlin"},
    ),
    ("tz:save:1:Etc/GMT+2", SaveZoneButton, {"user_id": 1, "zone": "Etc/GMT+2"}),
    ("tz:cancel:80351110224678912", CancelZoneButton, {"user_id": 80351110224678912}),
    ("tz:undo:80351110224678912", UndoZoneButton, {"user_id": 80351110224678912}),
    ("quiz:d:41:3", DailyChoice, {"post_id": 41, "position": 3}),
    ("quiz:p:9000:0", PromptChoice, {"prompt_id": 9000, "position": 0}),
    ("quiz:n:9000", NextPrompt, {"prompt_id": 9000}),
    ("streak:history:80351110224678912", HistoryButton, {"user_id": 80351110224678912}),
    ("career:plan:80351110224678912", RegeneratePlan, {"user_id": 80351110224678912}),
    (
        "career:plan:80351110224678912:go-backend",
        RegenerateTrackPlan,
        {"user_id": 80351110224678912, "track": "go-backend"},
    ),
    ("chal:done:rest-api-crud", DoneButton, {"challenge_id": "rest-api-crud"}),
    ("study:pause:12", TimerButton, {"action": "pause", "session_id": 12}),
    ("study:resume:12", TimerButton, {"action": "resume", "session_id": 12}),
    ("study:stop:12", TimerButton, {"action": "stop", "session_id": 12}),
    ("pack:s:a:7", ReviewButton, {"action": "a", "submission_id": 7}),
    ("pack:s:e:7", ReviewButton, {"action": "e", "submission_id": 7}),
    ("pack:s:r:7", ReviewButton, {"action": "r", "submission_id": 7}),
    ("skill:quiz:postgresql", QuizMeButton, {"slug": "postgresql"}),
    ("skill:learn:github-actions", LearnButton, {"slug": "github-actions"}),
    ("skill:unlearn:go", UnlearnButton, {"slug": "go"}),
    ("skill:open:docker", OpenRelatedSelect, {"slug": "docker"}),
    ("skill:show:c", ShowSkillButton, {"slug": "c"}),
]

# How the bot builds each of them today.
BUILT: list[tuple[Callable[[], PersistentItem[Any]], str]] = [
    (
        lambda: SaveZoneButton(80351110224678912, "Europe/Berlin", "Save"),
        "tz:save:80351110224678912:Europe/Berlin",
    ),
    (lambda: CancelZoneButton(5), "tz:cancel:5"),
    (lambda: UndoZoneButton(5), "tz:undo:5"),
    (lambda: DailyChoice(41, 3), "quiz:d:41:3"),
    (lambda: PromptChoice(9000, 0), "quiz:p:9000:0"),
    (lambda: NextPrompt(9000, "Next review"), "quiz:n:9000"),
    (lambda: HistoryButton(5), "streak:history:5"),
    (lambda: RegeneratePlan(5), "career:plan:5"),
    (lambda: RegenerateTrackPlan(5, "security"), "career:plan:5:security"),
    (lambda: DoneButton("rest-api-crud"), "chal:done:rest-api-crud"),
    (lambda: TimerButton(12, "resume"), "study:resume:12"),
    (lambda: ReviewButton("e", 7), "pack:s:e:7"),
    (lambda: QuizMeButton("postgresql"), "skill:quiz:postgresql"),
    (lambda: LearnButton("go"), "skill:learn:go"),
    (lambda: UnlearnButton("go"), "skill:unlearn:go"),
    (lambda: ShowSkillButton("go", "Go"), "skill:show:go"),
]


def persistent_classes() -> set[type[PersistentItem[Any]]]:
    """Every persistent item the cogs define now.

    Reloading an extension (as the e2e tests in the same worker do) re-imports its
    modules and leaves the old class objects alive as subclasses, so only the class
    a module currently holds under its name counts.
    """
    for module in pkgutil.walk_packages(cogs.__path__, f"{cogs.__name__}."):
        importlib.import_module(module.name)
    found: set[type[PersistentItem[Any]]] = set()
    todo: list[type[PersistentItem[Any]]] = [PersistentItem]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if getattr(sys.modules.get(sub.__module__), sub.__qualname__, None) is sub:
                found.add(sub)
    return found


def qualified(cls: type) -> str:
    """A class's import path, the same for a class and its re-imported copy."""
    return f"{cls.__module__}.{cls.__qualname__}"


def test_every_persistent_item_has_a_posted_format_under_test() -> None:
    assert {qualified(c) for c in persistent_classes()} == {qualified(cls) for _, cls, _ in POSTED}


@pytest.mark.parametrize(("custom_id", "cls", "state"), POSTED, ids=[p[0] for p in POSTED])
async def test_a_posted_custom_id_is_read_back_by_its_class_alone(
    custom_id: str, cls: type[PersistentItem[Any]], state: dict[str, object]
) -> None:
    matching_classes = [
        qualified(c)
        for c in persistent_classes()
        if c.__discord_ui_compiled_template__.fullmatch(custom_id)
    ]
    assert matching_classes == [qualified(cls)]
    match = cls.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None
    on_message: discord.ui.Item[Any] = (
        discord.ui.Select(custom_id=custom_id, options=[discord.SelectOption(label="Go")])
        if cls is OpenRelatedSelect
        else discord.ui.Button(label="as posted", custom_id=custom_id)
    )
    restored = await cls.from_custom_id(None, on_message, match)  # type: ignore[arg-type]  # the interaction is not read
    assert {name: getattr(restored, name) for name in state} == state
    assert restored.item is on_message  # label, style and options as the message carries them
    assert restored.custom_id == custom_id


@pytest.mark.parametrize(("build", "custom_id"), BUILT, ids=[b[1] for b in BUILT])
def test_a_new_button_carries_the_posted_format(
    build: Callable[[], PersistentItem[Any]], custom_id: str
) -> None:
    assert build().custom_id == custom_id


def test_a_format_and_its_fields_must_agree() -> None:
    with pytest.raises(TypeError, match="each field once"):

        class Unused(PersistentButton, custom_id="x:{a}", a=ID, b=ID):
            pass

    with pytest.raises(TypeError, match="each field once"):

        class Twice(PersistentButton, custom_id="x:{a}:{a}", a=ID):
            pass

    with pytest.raises(TypeError, match="plain name"):

        class Unknown(PersistentButton, custom_id="x:{a}:{b}", a=ID):
            pass

    with pytest.raises(TypeError, match="plain name"):

        class Spec(PersistentButton, custom_id="x:{a:>4}", a=matching("[a-z]")):
            pass

    assert not PersistentItem.__discord_ui_compiled_template__.fullmatch("x:1")
