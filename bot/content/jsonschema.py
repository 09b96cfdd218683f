"""JSON Schemas of the content files, generated from the pydantic models.

``python -m bot content schema`` writes them to ``schema/``; ``.taplo.toml`` maps each
``data/`` file to its schema, so editors with a TOML language server (Taplo, "Even Better
TOML") check content while it is written. A test keeps the files equal to the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from bot.config import PROJECT_ROOT
from bot.content.schema import AchievementFile, ChallengeFile, QuestionFile, SkillFile, TrackFile

SCHEMA_DIR = PROJECT_ROOT / "schema"
SCHEMAS: dict[str, type[BaseModel]] = {
    "skills.schema.json": SkillFile,
    "quiz.schema.json": QuestionFile,
    "challenges.schema.json": ChallengeFile,
    "tracks.schema.json": TrackFile,
    "achievements.schema.json": AchievementFile,
}


def render(model: type[BaseModel]) -> str:
    """The JSON Schema of ``model``, as the committed file holds it."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **model.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write(folder: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema into ``folder``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMAS.items():
        path = folder / name
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written
