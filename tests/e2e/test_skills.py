"""The skill catalogue through the sandbox: cards, suggestions, buttons, browse, path, progress."""

from __future__ import annotations

import pytest

from bot.app import MentorBot
from bot.content.schema import Category
from sandbox import Sandbox
from tests.e2e.harness import World

SEED_NAMED = [
    "Node.js",
    "Spring Boot",
    "ASP.NET Core",
    "Amazon RDS",
    "ELK Stack",
    "OWASP Top Ten",
    "Singleton",
]


@pytest.mark.parametrize("name", SEED_NAMED)
async def test_seed_named_skill_shows_its_card(
    sandbox: Sandbox, world: World, mentor: MentorBot, name: str
) -> None:
    expected = mentor.services.content.index.resolve(name).skill
    assert expected is not None
    card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name=name)
    assert not card.ephemeral
    assert card.embeds[0]["title"] == expected.name
    labels = [b.label for b in card.buttons]
    assert "Mark as learned" in labels and "Quiz me" in labels


async def test_typo_and_alias_resolve_through_the_bot(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    for query, title in (("k8s", "Kubernetes"), ("dokcer", "Docker"), ("postgres", "PostgreSQL")):
        card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name=query)
        assert card.embeds[0]["title"] == title


async def test_autocomplete_returns_at_most_25_slugs(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    choices = await sandbox.autocomplete(
        "skill", "name", "dock", user=world.alice, guild=world.guild
    )
    assert 1 <= len(choices) <= 25
    assert choices[0]["value"] == "docker"
    assert all(len(c["name"]) <= 100 for c in choices)
    everything = await sandbox.autocomplete(
        "skill", "name", "", user=world.alice, guild=world.guild
    )
    assert len(everything) == 25


async def test_unknown_name_suggests_instead_of_guessing(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    reply = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="jav")
    assert reply.ephemeral
    assert reply.embeds[0]["description"].startswith("No skill called “jav” — did you mean")
    suggestion = reply.buttons[0].label
    card = await sandbox.click(reply, suggestion, user=world.alice)
    assert card.embeds[0]["title"] == suggestion


async def test_gibberish_says_no_close_match(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    reply = await sandbox.run_command(
        "skill", user=world.alice, guild=world.guild, name="blockchain"
    )
    assert reply.ephemeral
    assert reply.embeds[0]["description"].startswith("No skill called “blockchain”. Try")
    assert reply.buttons == []
    path = await sandbox.run_command("path", user=world.alice, guild=world.guild, goal="xyzzy")
    assert path.ephemeral and "did you mean" not in path.embeds[0]["description"]
    choices = await sandbox.autocomplete(
        "skill", "name", "blockchain", user=world.alice, guild=world.guild
    )
    assert choices == []


async def test_autocomplete_forgives_a_typo(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    choices = await sandbox.autocomplete(
        "skill", "name", "kuberentes", user=world.alice, guild=world.guild
    )
    assert choices[0]["value"] == "kubernetes"
    topics = await sandbox.autocomplete(
        "quiz practice", "topic", "dokcer", user=world.alice, guild=world.guild
    )
    assert [c["value"] for c in topics][:1] == ["docker"]


async def test_mark_learned_then_undo_and_progress(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="http")
    first = await sandbox.click(card, "Mark as learned", user=world.alice)
    assert first.ephemeral and "marked as learned" in first.content
    again = await sandbox.click(card, "Mark as learned", user=world.alice)
    assert "already marked" in again.content
    assert await mentor.services.learning.learned(world.alice.id) == {"http"}
    assert await mentor.services.learning.learned(world.bob.id) == set()

    progress = await sandbox.run_command("progress", user=world.alice, guild=world.guild)
    assert "1/" in progress.embeds[0]["title"]

    undone = await sandbox.click(first, "Undo", user=world.alice)
    assert "no longer marked" in undone.content
    assert await mentor.services.learning.learned(world.alice.id) == set()


async def test_a_card_sent_again_is_the_same_card_and_its_buttons_work(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    """The second reply reuses the first one's embed and view: same message, working buttons."""
    first = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="http")
    second = await sandbox.run_command("skill", user=world.bob, guild=world.guild, name="HTTP")
    assert second.id != first.id and not second.ephemeral
    assert (second.embeds, second.components) == (first.embeds, first.components)
    for card, user in ((first, world.alice), (second, world.bob)):
        reply = await sandbox.click(card, "Mark as learned", user=user)
        assert "marked as learned" in reply.content
    assert await mentor.services.learning.learned(world.bob.id) == {"http"}
    opened = await sandbox.select(
        second, second.selects[0].custom_id, [second.selects[0].options[0]["value"]], user=world.bob
    )
    assert opened.ephemeral and opened.embeds[0]["title"]


async def test_related_select_opens_another_card(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="docker")
    menu = card.selects[0]
    target = menu.options[0]["value"]
    opened = await sandbox.select(card, menu.custom_id, [target], user=world.alice)
    assert opened.ephemeral
    assert opened.embeds[0]["title"] == mentor.services.content.skills[target].name


async def test_quiz_me_sends_a_private_question(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    card = await sandbox.run_command("skill", user=world.alice, guild=world.guild, name="redis")
    question = await sandbox.click(card, "Quiz me", user=world.alice)
    assert question.ephemeral
    assert question.embeds[0]["title"] == "Practice — Redis"
    assert [b.label for b in question.buttons][:2] == ["A", "B"]


async def test_skills_pages_and_category_jump(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    first = mentor.services.content.skills_in(Category.DATABASES)[0]
    await mentor.services.learning.mark_learned(world.alice.id, first.slug)
    page = await sandbox.run_command(
        "skills", user=world.alice, guild=world.guild, category="databases"
    )
    assert page.embeds[0]["title"].startswith("Databases — 1/")
    assert f"✅ **{first.name}**" in page.embeds[0]["description"]
    second = await sandbox.click(page, "Next", user=world.alice)
    assert "Page 2/" in second.embeds[0]["footer"]["text"]
    jumped = await sandbox.select(second, "Jump to a category…", ["security"], user=world.alice)
    assert jumped.embeds[0]["title"].startswith("Security")


async def test_path_orders_prerequisites_and_marks_next(
    sandbox: Sandbox, world: World, mentor: MentorBot
) -> None:
    content = mentor.services.content
    path = content.learning_path("kubernetes")
    await mentor.services.learning.mark_learned(world.alice.id, path[0].slug)
    reply = await sandbox.run_command("path", user=world.alice, guild=world.guild, goal="k8s")
    lines = reply.embeds[0]["description"].splitlines()
    assert len(lines) == len(path)
    assert "✅" in lines[0]
    assert sum("learn this next" in line for line in lines) == 1
    assert lines[-1].endswith(content.skills["kubernetes"].name)
