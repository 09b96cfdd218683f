"""The shipped content validates, and the validator catches every kind of mistake."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalogue import Content
from bot.content.loader import read_content


def test_content_check_passes_on_shipped_content() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content ok" in result.stdout


def test_catalogue_size_and_coverage(content: Content) -> None:
    assert len(content.skills) >= 130
    assert len(content.questions) >= 500
    assert len(content.challenges) >= 40
    for slug in content.skills:
        assert len(content.questions_by_skill.get(slug, [])) >= 3, slug
    levels = {q.difficulty for q in content.questions.values()}
    assert levels == {"beginner", "intermediate", "advanced"}


def test_right_answers_are_not_stuck_in_one_position(content: Content) -> None:
    positions = [q.answer for q in content.questions.values()]
    most_common = max(positions.count(p) for p in set(positions))
    assert most_common < 0.5 * len(positions)


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(PROJECT_ROOT / "data", target)
    return target


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


SKILL = """
[[skill]]
slug = "{slug}"
name = "{name}"
aliases = [{aliases}]
category = "fundamentals"
level = "beginner"
summary = "A test skill that exists only to check the validator."
why = "Because the validator must catch mistakes before users see them."
concepts = ["one", "two", "three"]
prerequisites = [{prereqs}]
related = []
sources = []
[[skill.resources]]
title = "Docs"
url = "https://example.org/"
official = true
"""


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (SKILL.format(slug="http", name="Dup", aliases="", prereqs=""), "duplicate skill id"),
        (SKILL.format(slug="zz-alias", name="Zz", aliases='"k8s"', prereqs=""), "already claimed"),
        (
            SKILL.format(slug="zz-dangling", name="Zz", aliases="", prereqs='"no-such-skill"'),
            "unknown skill",
        ),
        (
            SKILL.format(slug="zz-a", name="Zz A", aliases="", prereqs='"zz-b"')
            + SKILL.format(slug="zz-b", name="Zz B", aliases="", prereqs='"zz-a"'),
            "prerequisite cycle",
        ),
        (
            SKILL.format(slug="zz-x", name="Zz", aliases="", prereqs="").replace(
                'level = "beginner"', 'level = "beginner"\ncolour = "red"'
            ),
            "Extra inputs",
        ),
    ],
)
def test_validator_names_file_and_entry(tmp_path: Path, snippet: str, expected: str) -> None:
    data = _copy_data(tmp_path)
    _append(data / "skills" / "fundamentals.toml", snippet)
    problems = read_content(data).problems
    assert any(expected in p.message for p in problems), problems
    assert all("fundamentals.toml" in p.file for p in problems if expected in p.message)
    assert any(p.entry for p in problems if expected in p.message)


QUESTION = """
[[question]]
id = "{id}"
skill = "{skill}"
difficulty = "beginner"
prompt = "Which of these is a validator test question?"
choices = [{choices}]
answer = {answer}
explanation = "This only exists to check that the validator catches mistakes."
source = "https://example.org/"
"""


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            QUESTION.format(id="zz-1", skill="no-such-skill", choices='"a", "b"', answer=0),
            "unknown skill",
        ),
        (
            QUESTION.format(id="http-1", skill="http", choices='"a", "b"', answer=0),
            "duplicate question id",
        ),
        (
            QUESTION.format(id="zz-2", skill="http", choices='"same", "Same"', answer=0),
            "two choices are the same",
        ),
        (QUESTION.format(id="zz-3", skill="http", choices='"a", "b"', answer=2), "out of range"),
        (
            QUESTION.format(id="zz-4", skill="http", choices=f'"{"x" * 80}", "b"', answer=0),
            "at most 75",
        ),
    ],
)
def test_question_validator(tmp_path: Path, snippet: str, expected: str) -> None:
    data = _copy_data(tmp_path)
    _append(data / "quiz" / "fundamentals.toml", snippet)
    problems = read_content(data).problems
    assert any(expected in p.message for p in problems), problems


def test_every_skill_named_in_the_seed_articles_resolves(content: Content) -> None:
    named = [
        "Node.js",
        "Express.js",
        "NestJS",
        "Spring Boot",
        "Hibernate",
        "Sequelize",
        "ASP.NET Core",
        "Amazon RDS",
        "Cloud Spanner",
        "Kafka",
        "Insomnia",
        "Apigee",
        "Microsoft IIS",
        "CircleCI",
        "Ansible",
        "Splunk",
        "ELK Stack",
        "Grafana",
        "CSRF",
        "OWASP Top Ten",
        "RBAC",
        "Singleton",
        "Factory",
        "Observer",
        "Python",
        "Java",
        "Go",
        "Ruby",
        "PHP",
        "Rust",
        "C#",
        "Django",
        "Flask",
        "FastAPI",
        "Ruby on Rails",
        "Laravel",
        "MySQL",
        "PostgreSQL",
        "Oracle",
        "SQLite",
        "MongoDB",
        "Cassandra",
        "Firebase",
        "Redis",
        "REST",
        "GraphQL",
        "WebSockets",
        "OAuth2",
        "JWT",
        "Postman",
        "Swagger",
        "Nginx",
        "Apache",
        "Docker",
        "Kubernetes",
        "AWS",
        "Google Cloud",
        "Azure",
        "GitHub",
        "GitLab",
        "Bitbucket",
        "Git",
        "Jenkins",
        "GitHub Actions",
        "Terraform",
        "CloudFormation",
        "Prometheus",
        "JUnit",
        "Mocha",
        "Chai",
        "PyTest",
        "XSS",
        "SQL injection",
        "TypeScript",
        "HTML",
        "CSS",
        "AWS Lambda",
        "S3",
        "EC2",
        "microservices",
        "serverless",
    ]
    unresolved = [name for name in named if content.index.resolve(name).skill is None]
    assert unresolved == []


def test_committed_json_schemas_match_the_models() -> None:
    from bot.content.jsonschema import SCHEMA_DIR, SCHEMAS, render

    for name, model in SCHEMAS.items():
        assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == render(model), (
            f"schema/{name} is stale: run `python -m bot content schema`"
        )


def test_the_quiz_schema_refuses_what_the_loader_refuses() -> None:
    import json

    from bot.content.jsonschema import SCHEMA_DIR

    schema = json.loads((SCHEMA_DIR / "quiz.schema.json").read_text(encoding="utf-8"))
    question = schema["$defs"]["Question"]
    assert question["additionalProperties"] is False
    assert question["properties"]["choices"]["maxItems"] == 4
    assert set(question["required"]) >= {"id", "skill", "prompt", "choices", "answer"}
