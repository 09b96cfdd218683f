"""Skill lookup: typos, abbreviations, spacing and case all find the right card."""

from __future__ import annotations

import random
import string

import pytest

from bot.content.catalogue import Content
from bot.content.search import SkillIndex, normalize
from bot.ui.embeds.skills import skill_card

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

# Nothing in the catalogue is close to these: no card and no suggestions ("no close match").
NO_CLOSE_MATCH = [
    "blockchain",
    "quantum blockchain",
    "xyzzy",
    "helm chart wizardry",
    "machine learning",
    "bitcoin",
    "photoshop",
    "knitting",
    "guitar chords",
    "astrology",
    "minecraft",
    "video editing",
    "qwertyuiop",
    "asdfgh",
    "lorem ipsum",
]


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


@pytest.mark.parametrize("query", NO_CLOSE_MATCH)
def test_gibberish_gets_no_close_match(content: Content, query: str) -> None:
    lookup = content.index.resolve(query)
    assert lookup.skill is None and lookup.suggestions == (), lookup.suggestions
    assert content.index.complete(query) == []


def test_blockchain_suggests_nothing(content: Content) -> None:
    # It used to offer Concurrency, Chai or Pagination (a "chai" inside "blockchain").
    lookup = content.index.resolve("blockchain")
    assert lookup.skill is None
    assert lookup.suggestions == ()


def _variants(text: str) -> list[str]:
    """``text`` as people type it: as written, upper case, hyphenated, squashed."""
    return [text, text.upper(), text.replace(" ", "-"), text.replace(" ", "")]


def test_every_name_slug_and_alias_resolves_exactly(content: Content) -> None:
    for skill in content.skills.values():
        for term in (skill.name, skill.slug, *skill.aliases):
            for query in _variants(term):
                assert content.index.exact(query) == skill, (query, skill.slug)
                assert content.index.resolve(query).skill == skill, (query, skill.slug)
                assert content.index.complete(query)[0] == skill, (query, skill.slug)


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("kube", "kubernetes"),
        ("kubern", "kubernetes"),
        ("spring", "spring-boot"),
        ("spring b", "spring-boot"),
        ("springb", "spring-boot"),
        ("load bal", "load-balancing"),
        ("elasticse", "elasticsearch"),
        # a later word of a name
        ("boot", "spring-boot"),
        ("balancing", "load-balancing"),
        ("top ten", "owasp-top-ten"),
    ],
)
def test_a_prefix_naming_one_skill_resolves(content: Content, query: str, slug: str) -> None:
    lookup = content.index.resolve(query)
    assert lookup.skill is not None and lookup.skill.slug == slug, lookup
    assert content.index.complete(query)[0].slug == slug


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pos", {"postman", "postgresql"}),
        ("jav", {"java", "javascript"}),
        ("elastic", {"elasticsearch", "elk-stack"}),
        ("ci", {"ci-cd", "circleci"}),
        ("k", set()),
    ],
)
def test_an_ambiguous_prefix_offers_its_skills(
    content: Content, query: str, expected: set[str]
) -> None:
    lookup = content.index.resolve(query)
    assert lookup.skill is None
    assert expected <= {s.slug for s in lookup.suggestions}
    assert 0 < len(lookup.suggestions) <= 3


def test_autocomplete_ranks_names_before_aliases_and_shorter_first(content: Content) -> None:
    # "elastic" starts Elasticsearch (a name) and "elastic stack" (an ELK Stack alias).
    assert [s.slug for s in content.index.complete("elastic")[:2]] == ["elasticsearch", "elk-stack"]
    assert content.index.complete("dock")[0].slug == "docker"
    assert [s.slug for s in content.index.complete("pos")[:2]] == ["postman", "postgresql"]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("dokcer", "docker"),  # two letters swapped
        ("dcker", "docker"),  # one dropped
        ("dockker", "docker"),  # one doubled
        ("docjer", "docker"),  # one replaced
        ("elastcsearh", "elasticsearch"),  # two edits in a long name
        ("kubrnetis", "kubernetes"),
        ("hashicorp terrafrom", "terraform"),  # an alias, typo'd
        ("spirng boot", "spring-boot"),
    ],
)
def test_typos_resolve(content: Content, query: str, slug: str) -> None:
    lookup = content.index.resolve(query)
    assert lookup.skill is not None and lookup.skill.slug == slug, lookup
    assert content.index.complete(query)[0].slug == slug


def _typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text))
    kind = rng.choice("dist")
    if kind == "d":
        return text[:i] + text[i + 1 :]
    if kind == "i":
        return text[:i] + rng.choice(string.ascii_lowercase) + text[i:]
    if kind == "s":
        return text[:i] + rng.choice(string.ascii_lowercase.replace(text[i], "")) + text[i + 1 :]
    i = min(i, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def test_one_typo_in_any_skill_name_finds_it(content: Content) -> None:
    """Seeded single-edit typos of every name of six letters or more: nearly all resolve, the
    rest offer the right skill, and none resolves to a different skill."""
    rng = random.Random(7)
    resolved = offered = total = 0
    for skill in sorted(content.skills.values(), key=lambda s: s.slug):
        name = skill.name.casefold()
        if len(normalize(name).replace(" ", "")) < 6:
            continue
        for _ in range(3):
            query = _typo(name, rng)
            if content.index.exact(query) is not None:
                continue
            total += 1
            lookup = content.index.resolve(query)
            assert lookup.skill in (None, skill), (query, lookup.skill and lookup.skill.slug)
            resolved += lookup.skill == skill
            offered += lookup.skill is None and skill in lookup.suggestions
    assert total > 300
    assert resolved >= 0.95 * total, (resolved, total)
    assert resolved + offered >= 0.99 * total, (resolved, offered, total)


def test_a_word_naming_a_skill_resolves_when_nothing_else_fits(content: Content) -> None:
    lookup = content.index.resolve("docker compose")
    assert lookup.skill is not None and lookup.skill.slug == "docker"
    both = content.index.resolve("python django")
    assert both.skill is None
    assert {s.slug for s in both.suggestions} == {"python", "django"}


def test_the_cache_changes_no_answer(content: Content) -> None:
    uncached = SkillIndex(content.skills.values(), cache_size=0)
    queries = [*LOOKUPS, *NO_CONFIDENT_MATCH, *NO_CLOSE_MATCH, "", "k", "kub", "elastic"]
    for query in queries * 2:
        assert uncached.resolve(query) == content.index.resolve(query), query
        assert uncached.complete(query) == content.index.complete(query), query
    assert content.index.complete("kub", limit=1) == uncached.complete("kub")[:1]


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
