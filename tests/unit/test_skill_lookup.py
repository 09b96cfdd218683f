"""Skill lookup: typos, abbreviations, spacing and case all find the right card."""

from __future__ import annotations

import pytest

from bot.content.catalogue import Content
from bot.render.skills import skill_card

LOOKUPS = {
    # aliases and abbreviations
    "k8s": "kubernetes",
    "postgres": "postgresql",
    "pg": "postgresql",
    "golang": "go",
    "js": "javascript",
    "ts": "typescript",
    "gh actions": "github-actions",
    "tf": "terraform",
    "mongo": "mongodb",
    "rds": "amazon-rds",
    "iis": "microsoft-iis",
    "elk": "elk-stack",
    "tdd": "test-driven-development",
    "e2e": "end-to-end-testing",
    "iac": "infrastructure-as-code",
    "c#": "csharp",
    "oauth": "oauth2",
    "ssl": "tls",
    "https": "tls",
    "n+1": "n-plus-one",
    "cap": "cap-theorem",
    "rails": "ruby-on-rails",
    "spanner": "cloud-spanner",
    "lambda": "aws-lambda",
    "s3": "aws-s3",
    "ec2": "aws-ec2",
    "gcp": "gcp",
    "google cloud": "gcp",
    "owasp": "owasp-top-ten",
    "jwt": "jwt",
    "rbac": "rbac",
    "csrf": "csrf",
    "xss": "xss",
    "cicd": "ci-cd",
    "ci cd": "ci-cd",
    # spelling, spacing, punctuation and case variants
    "Node.js": "nodejs",
    "node js": "nodejs",
    "NODEJS": "nodejs",
    "Express.js": "express",
    "expressjs": "express",
    "Spring Boot": "spring-boot",
    "springboot": "spring-boot",
    "ASP.NET Core": "aspnet-core",
    "asp net core": "aspnet-core",
    "NestJS": "nestjs",
    "CircleCI": "circleci",
    "circle ci": "circleci",
    "ELK Stack": "elk-stack",
    "GraphQL": "graphql",
    "Ruby on Rails": "ruby-on-rails",
    "OWASP Top Ten": "owasp-top-ten",
    "Apache Kafka": "kafka",
    "Microsoft IIS": "microsoft-iis",
    "Amazon RDS": "amazon-rds",
    "Cloud Spanner": "cloud-spanner",
    "web sockets": "websockets",
    "websocket": "websockets",
    "message queue": "message-queues",
    "load balancer": "load-balancing",
    "sql injection": "sql-injection",
    "unit tests": "unit-testing",
    "design pattern": "design-patterns",
    "Singleton": "singleton-pattern",
    "Factory": "factory-pattern",
    "Observer": "observer-pattern",
    "system design": "system-design",
    "twelve factor": "twelve-factor",
    # typos
    "dokcer": "docker",
    "kubernets": "kubernetes",
    "kuberentes": "kubernetes",
    "postgress": "postgresql",
    "pyhton": "python",
    "graffana": "grafana",
    "reddis": "redis",
    "djnago": "django",
    "terrafrom": "terraform",
    "jenkis": "jenkins",
    "grpahql": "graphql",
    "nginix": "nginx",
    "kafak": "kafka",
    "elasticserach": "elasticsearch",
    "sequelise": "sequelize",
    "hibernat": "hibernate",
    "ansibel": "ansible",
    "insomina": "insomnia",
    "prometeus": "prometheus",
    "typescirpt": "typescript",
}

NO_CONFIDENT_MATCH = ["xyzzy", "quantum blockchain", "helm chart wizardry", "pos", "jav"]


def test_table_is_big_enough() -> None:
    assert len(LOOKUPS) >= 80


@pytest.mark.parametrize(("query", "slug"), sorted(LOOKUPS.items()))
def test_lookup_finds_the_card(content: Content, query: str, slug: str) -> None:
    lookup = content.index.resolve(query)
    assert lookup.skill is not None, (
        f"{query!r} resolved to nothing; suggestions {lookup.suggestions}"
    )
    assert lookup.skill.slug == slug


@pytest.mark.parametrize("query", NO_CONFIDENT_MATCH)
def test_gibberish_gets_suggestions_not_a_card(content: Content, query: str) -> None:
    lookup = content.index.resolve(query)
    assert lookup.skill is None
    assert len(lookup.suggestions) <= 3


def test_autocomplete_is_capped_and_puts_the_exact_alias_first(content: Content) -> None:
    assert content.index.complete("k8s")[0].slug == "kubernetes"
    assert len(content.index.complete("")) == 25
    assert len(content.index.complete("a")) <= 25
    assert content.index.complete("postg")[0].slug == "postgresql"


def test_every_card_fits_discord_embed_limits(content: Content) -> None:
    for skill in content.skills.values():
        embed = skill_card(skill, content).to_dict()
        assert len(embed["title"]) <= 256
        assert len(embed.get("description", "")) <= 4096
        assert len(embed["fields"]) <= 25
        for field in embed["fields"]:
            assert len(field["name"]) <= 256 and 0 < len(field["value"]) <= 1024, (
                skill.slug,
                field["name"],
            )
        assert len(embed["footer"]["text"]) <= 2048
        total = (
            len(embed["title"]) + len(embed.get("description", "")) + len(embed["footer"]["text"])
        )
        total += sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
        assert total <= 6000, skill.slug


def test_learning_paths_put_prerequisites_first(content: Content) -> None:
    for slug in content.skills:
        path = [s.slug for s in content.learning_path(slug)]
        assert path[-1] == slug
        seen: set[str] = set()
        for step in path:
            assert set(content.skills[step].prerequisites) <= seen, (slug, step)
            seen.add(step)
