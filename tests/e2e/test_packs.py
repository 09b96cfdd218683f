"""Server question packs end to end: import limits, export, the daily question, isolation, submissions."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import MentorBot
from bot.clock import FrozenClock
from bot.content.catalogue import Content
from bot.db.engine import Database
from bot.db.models import (
    DailyPost,
    Pack,
    PackQuestion,
    PackSettings,
    QuestionSubmission,
    QuizAnswer,
    QuizPrompt,
)
from bot.services.errors import UserError
from sandbox import Guild, Message, Modal, Sandbox, SandboxTimeout, User
from tests.e2e.harness import START, World

LETTERS = "ABCD"


def pack_questions(content: Content, count: int, *, skill: str | None = None) -> list[dict]:
    """``count`` valid questions that are not built-in ones (the shipped ones, reworded)."""
    shipped = sorted(content.questions.values(), key=lambda q: q.id)
    if skill:
        shipped = [q for q in shipped if q.skill == skill]
    out = []
    for i in range(count):
        q = shipped[i % len(shipped)]
        out.append(
            {
                "id": f"pq-{i}",
                "skill": q.skill,
                "difficulty": q.difficulty.value,
                "prompt": f"In our course (part {i}): {q.prompt}"[:400],
                "choices": list(q.choices),
                "answer": q.answer,
                "explanation": q.explanation,
                "source": str(q.source),
            }
        )
    return out


def toml_pack(questions: list[dict]) -> bytes:
    lines = []
    for q in questions:
        lines.append("[[question]]")
        for key, value in q.items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    return "\n".join(lines).encode()


async def count(db: Database, model: type) -> int:
    async with db.read() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def import_pack(
    sandbox: Sandbox, guild: Guild, user: User, filename: str, data: bytes, **options: object
) -> Message:
    return await sandbox.run_command(
        "mod pack import", user=user, guild=guild, file=(filename, data), **options
    )


async def test_malformed_packs_are_refused_precisely_and_nothing_is_stored(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, content: Content
) -> None:
    wrong_index = pack_questions(content, 3)
    wrong_index[1]["answer"] = 7
    unknown_skill = pack_questions(content, 1)
    unknown_skill[0]["skill"] = "dokcer"
    cases = [
        (
            "bad.toml",
            b'[[question]\nid = "x"\n',
            "The TOML does not parse: Expected ']]' at the end of an array declaration (at line 1",
        ),
        (
            "index.toml",
            toml_pack(wrong_index),
            'line 17, question 2 ("pq-1"), field `answer`: answer index 7 is out of range for 4 choices',
        ),
        (
            "many.toml",
            b"[[question]]\n" * 10_000,
            "The pack has 10,000 questions; a pack holds at most 500.",
        ),
        (
            "huge.toml",
            b"#" * (1024 * 1024 + 50 * 1024),  # just over: the size must not read as the limit
            "The file is 1.05 MB; a pack file may be at most 1 MB.",
        ),
        (
            "formulas.csv",
            b"id,skill,difficulty,prompt,choice_1,choice_2,answer,explanation,source\n"
            b"q1,sql,beginner,Which clause filters groups?,HAVING,WHERE,0,"
            b"HAVING filters after grouping rows together.,https://www.postgresql.org/docs/\n"
            b'q2,sql,beginner,"=HYPERLINK(""http://evil"")",+1,@SUM(A1),0,'
            b"-2+3 is what a spreadsheet would compute here.,https://www.postgresql.org/docs/\n",
            "row 3, column `prompt`: a cell may not start with '=' (spreadsheets run it as a formula)",
        ),
        (
            "skill.toml",
            toml_pack(unknown_skill),
            "field `skill`: `dokcer` is not a skill of the catalogue (did you mean `docker`?)",
        ),
        ("notes.txt", b"hello", "`notes.txt` is not a .toml, .json or .csv file"),
        ("bad.json", b'{"question": [', "The JSON does not parse: Expecting value at line 1"),
    ]
    for filename, data, expected in cases:
        reply = await import_pack(sandbox, world.guild, world.mod, filename, data)
        assert reply.ephemeral, filename
        assert reply.content.startswith("❌ The pack was not imported; nothing was stored."), (
            filename,
            reply.content,
        )
        assert expected in reply.content, (filename, reply.content)
    formulas = await import_pack(sandbox, world.guild, world.mod, "formulas.csv", cases[4][1])
    assert "column `choice_1`: a cell may not start with '+'" in formulas.content
    assert "column `choice_2`: a cell may not start with '@'" in formulas.content
    assert "column `explanation`: a cell may not start with '-'" in formulas.content
    for model in (Pack, PackQuestion, PackSettings):
        assert await count(db, model) == 0, model.__name__

    # Members cannot import, even where a server shows them the command.
    refused = await import_pack(
        sandbox,
        world.guild,
        world.alice,
        "ok.toml",
        toml_pack(pack_questions(content, 2)),
        bypass_permissions=True,
    )
    assert refused.ephemeral and "Manage Server" in refused.content
    assert await count(db, PackQuestion) == 0


async def test_import_list_export_mix_and_delete(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database, content: Content
) -> None:
    questions = pack_questions(content, 12)
    done = await import_pack(sandbox, world.guild, world.mod, "Week 1.toml", toml_pack(questions))
    assert done.content.startswith("✅ Imported pack `week-1`: 12 questions (12 of 2,000")
    assert "50% of the daily and practice questions" in done.content

    again = await import_pack(sandbox, world.guild, world.mod, "week-1.json", b"[]")
    assert "The file has no questions." in again.content
    same_name = await import_pack(
        sandbox,
        world.guild,
        world.mod,
        "other.json",
        json.dumps({"question": questions[:2]}).encode(),
        name="week-1",
    )
    assert "already has a pack named `week-1`" in same_name.content
    assert await count(db, PackQuestion) == 12

    listing = await sandbox.run_command("mod pack list", user=world.mod, guild=world.guild)
    assert "`week-1` — 12 questions" in listing.embeds[0]["description"]

    shown = await sandbox.run_command("help", user=world.mod, guild=world.guild)
    text = json.dumps(shown.embeds[0], ensure_ascii=False)
    for usage in ("/mod pack import file: [name]", "/mod pack mix percent:", "/mod submissions"):
        assert usage in text, usage
    member_help = await sandbox.run_command("help", user=world.alice, guild=world.guild)
    assert "/quiz submit skill: [difficulty]" in member_help.embeds[0]["description"]
    assert "/mod pack" not in json.dumps(member_help.embeds[0])

    mixed = await sandbox.run_command("mod pack mix", user=world.mod, guild=world.guild, percent=80)
    assert mixed.content.startswith("✅ 80% of this server's daily and practice questions")

    exported = await sandbox.run_command(
        "mod pack export", user=world.mod, guild=world.guild, name="week-1"
    )
    (attachment,) = exported.attachments
    assert attachment.filename == "week-1.toml"
    back = tomllib.loads(attachment.data.decode())["question"]
    assert back == questions

    # The export imports again, unchanged, under another name (a copy for editing).
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            *("id", "skill", "difficulty", "prompt", "choice_1", "choice_2", "choice_3"),
            *("choice_4", "answer", "explanation", "source"),
        ]
    )
    for q in pack_questions(content, 3, skill="sql"):
        choices = [*q["choices"], "", "", ""][:4]
        writer.writerow(
            [
                q["id"],
                q["skill"],
                q["difficulty"],
                q["prompt"].replace("part", "csv part"),
                *choices,
                q["answer"],
                q["explanation"],
                q["source"],
            ]
        )
    from_csv = await import_pack(
        sandbox, world.guild, world.mod, "sql.csv", buffer.getvalue().encode()
    )
    assert from_csv.content.startswith("✅ Imported pack `sql`: 3 questions (15 of 2,000")

    asked = await sandbox.run_command(
        "mod pack delete", user=world.mod, guild=world.guild, name="week-1"
    )
    assert asked.content.startswith("Delete the `week-1` pack and its 12 questions for good?")
    kept = await sandbox.click(asked, "Cancel", user=world.mod)
    assert kept.content == "Nothing was deleted."
    assert (
        "week-1"
        in (await sandbox.run_command("mod pack list", user=world.mod, guild=world.guild)).embeds[
            0
        ]["description"]
    )
    asked = await sandbox.run_command(
        "mod pack delete", user=world.mod, guild=world.guild, name="week-1"
    )
    deleted = await sandbox.click(asked, "Delete the pack", user=world.mod)
    assert deleted.content.startswith("🗑️ Deleted the `week-1` pack (12 questions)")
    listing = await sandbox.run_command("mod pack list", user=world.mod, guild=world.guild)
    assert "week-1" not in listing.embeds[0]["description"]
    missing = await sandbox.run_command(
        "mod pack export", user=world.mod, guild=world.guild, name="week-1"
    )
    assert "There is no pack named `week-1` here" in missing.content


async def schedule(sandbox: Sandbox, guild: Guild, mod: User) -> None:
    await sandbox.run_command(
        "mod quiz-schedule",
        user=mod,
        guild=guild,
        options={"channel": guild.general, "time": "09:00", "timezone": "Europe/Berlin"},
    )


async def test_a_pack_is_used_in_its_server_and_never_in_another(
    sandbox: Sandbox,
    world: World,
    mentor: MentorBot,
    db: Database,
    clock: FrozenClock,
    content: Content,
) -> None:
    other = sandbox.add_guild("Other Server")
    sandbox.add_member(other, world.alice)
    sandbox.add_member(other, world.mod, manage_guild=True)
    home = world.guild
    questions = pack_questions(content, 20)
    await import_pack(sandbox, home, world.mod, "course.toml", toml_pack(questions))
    await sandbox.run_command("mod pack mix", user=world.mod, guild=home, percent=100)
    pack_prompts = {q["prompt"] for q in questions}

    clock.set(START - timedelta(minutes=1))
    await schedule(sandbox, home, world.mod)
    await schedule(sandbox, other, world.mod)
    clock.set(START)
    await mentor.delivery.tick()

    home_post = await mentor.services.daily.current_post(home.id)
    other_post = await mentor.services.daily.current_post(other.id)
    assert home_post is not None and other_post is not None
    assert home_post.shown.question.id.startswith(f"pack:{home.id}:")
    assert home_post.shown.question.prompt in pack_prompts
    assert not other_post.shown.question.id.startswith("pack:")
    (home_message,) = [m for m in sandbox.channel_messages(home.general) if m.buttons]
    (other_message,) = [m for m in sandbox.channel_messages(other.general) if m.buttons]
    assert home_post.shown.question.prompt[:60] in home_message.embeds[0]["description"]

    # A crafted button in the other server, naming the home server's post or prompt:
    # discord.py drops a custom id the message does not carry, and the services refuse
    # a post or prompt of another server whatever reaches them.
    practice = await sandbox.run_command("quiz practice", user=world.alice, guild=home)
    prompt_id = int(practice.buttons[0].custom_id.split(":")[2])
    async with db.read() as session:
        prompt = await session.get(QuizPrompt, prompt_id)
        assert prompt is not None and prompt.question_id.startswith(f"pack:{home.id}:")
    for custom_id in (f"quiz:d:{home_post.post_id}:0", f"quiz:p:{prompt_id}:0"):
        with pytest.raises(SandboxTimeout):
            await sandbox.press(other_message, custom_id, user=world.alice, timeout=0.5)
    with pytest.raises(UserError, match="no longer available"):
        await mentor.services.daily.answer(
            post_id=home_post.post_id,
            user_id=world.alice.id,
            display_name="alice",
            position=0,
            guild_id=other.id,
        )
    for guild_id in (other.id, None):
        with pytest.raises(UserError, match="not available any more"):
            await mentor.services.practice.answer(
                prompt_id=prompt_id,
                user_id=world.alice.id,
                display_name="alice",
                position=0,
                guild_id=guild_id,
            )
    assert await count(db, QuizAnswer) == 0

    # Practice in the other server never draws the pack.
    for _ in range(15):
        await sandbox.run_command("quiz practice", user=world.alice, guild=other)
    async with db.read() as session:
        elsewhere = list(
            await session.scalars(
                select(QuizPrompt.question_id).where(QuizPrompt.guild_id == other.id)
            )
        )
    assert len(elsewhere) == 15 and not any(q.startswith("pack:") for q in elsewhere)

    # Alice misses the home question: it comes back in review at home only.
    wrong = (home_post.shown.right_position + 1) % len(home_post.shown.order)
    await sandbox.click(home_message, LETTERS[wrong], user=world.alice)
    clock.set(START + timedelta(days=1))
    review_elsewhere = await sandbox.run_command("quiz review", user=world.alice, guild=other)
    assert not review_elsewhere.embeds or (
        home_post.shown.question.prompt[:60] not in json.dumps(review_elsewhere.embeds)
    )
    review_home = await sandbox.run_command("quiz review", user=world.alice, guild=home)
    assert home_post.shown.question.prompt[:60] in review_home.embeds[0]["description"]
    review_dm = await sandbox.run_command("quiz review", user=world.alice)
    assert not review_dm.embeds or (
        home_post.shown.question.prompt[:60] not in json.dumps(review_dm.embeds)
    )

    # The next days: the home server keeps drawing its pack, the other server never does.
    for day in range(1, 4):
        clock.set(START + timedelta(days=day))
        await mentor.delivery.tick()
    async with db.read() as session:
        posts = (await session.execute(select(DailyPost.guild_id, DailyPost.question_id))).all()
    assert len(posts) == 8
    for guild_id, question_id in posts:
        assert question_id.startswith(f"pack:{home.id}:") == (guild_id == home.id)


SUBMISSION = {
    "prompt": "Which HTTP status code says that a created resource now exists?",
    "choices": "200 OK\n201 Created\n204 No Content\n202 Accepted",
    "answer": "B",
    "explanation": "201 Created is sent when a request made a new resource, often with a Location header.",
    "source": "https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/201",
}


async def test_a_submission_goes_through_review_into_the_pack(
    sandbox: Sandbox, world: World, mentor: MentorBot, db: Database
) -> None:
    modal = await sandbox.run_command(
        "quiz submit", user=world.alice, guild=world.guild, skill="rest", difficulty="beginner"
    )
    assert isinstance(modal, Modal)
    assert [f.custom_id for f in modal.fields] == [
        "prompt",
        "choices",
        "answer",
        "explanation",
        "source",
    ]
    bad = await sandbox.submit_modal(modal, {**SUBMISSION, "answer": "E"}, user=world.alice)
    assert bad.content == "The right answer is one letter: A, B, C or D."
    bad = await sandbox.submit_modal(
        modal, {**SUBMISSION, "choices": "DISTINCT, UNIQUE, GROUP, DROP"}, user=world.alice
    )
    assert bad.content == "The choices: 2 to 4 are needed, each on a line of its own; I read 1."
    sent = await sandbox.submit_modal(modal, SUBMISSION, user=world.alice)
    assert sent.ephemeral and "Submission #1 is waiting for the moderators" in sent.content
    assert await count(db, PackQuestion) == 0

    queue = await sandbox.run_command("mod submissions", user=world.mod, guild=world.guild)
    card = queue.embeds[0]
    assert card["title"].startswith("Submission #1")
    assert "✅ **B.** 201 Created" in card["description"]
    assert [b.label for b in queue.buttons] == ["Approve", "Edit", "Reject"]

    # Only moderators see the queue, even where a server shows members the command.
    nope = await sandbox.run_command(
        "mod submissions", user=world.bob, guild=world.guild, bypass_permissions=True
    )
    assert nope.content == "You need the Manage Server permission to use this command."

    edit = await sandbox.click(queue, "Edit", user=world.mod)
    assert isinstance(edit, Modal) and edit.title == "Edit submission #1"
    explanation = "201 Created tells the client that the request made a new resource."
    edited = await sandbox.submit_modal(edit, {**SUBMISSION, "explanation": explanation})
    assert "Submission #1 updated" in edited.content

    approved = await sandbox.click(queue, "Approve", user=world.mod)
    assert approved.content == "📭 No submissions are waiting for review."
    dm = await sandbox.wait_for_dm(world.alice, lambda m: bool(m.embeds))
    assert dm.embeds[0]["title"] == "Your question was approved 🎉"
    async with db.read() as session:
        (stored,) = await session.scalars(select(PackQuestion))
        assert (stored.author_id, stored.explanation, stored.answer) == (
            world.alice.id,
            explanation,
            1,
        )
        pack = await session.get(Pack, stored.pack_id)
        assert pack is not None and pack.name == "members"
    with pytest.raises(UserError, match="already approved"):
        await mentor.services.packs.approve(world.guild.id, 1, world.mod.id)
    assert await count(db, PackQuestion) == 1

    # A rejection, with closed DMs: the notice falls back to the channel, pinging the author.
    sandbox.close_dms(world.bob)
    modal = await sandbox.run_command("quiz submit", user=world.bob, guild=world.guild, skill="sql")
    await sandbox.submit_modal(
        modal,
        {**SUBMISSION, "prompt": "Which SQL clause filters groups after GROUP BY runs?"},
        user=world.bob,
    )
    queue = await sandbox.run_command("mod submissions", user=world.mod, guild=world.guild)
    reject = await sandbox.click(queue, "Reject", user=world.mod)
    done = await sandbox.submit_modal(reject, {"reason": "The choices do not fit the question."})
    assert done.content == "🗑️ Submission #2 rejected."
    notice = await sandbox.wait_for_message(
        world.guild.general, lambda m: bool(m.embeds) and f"<@{world.bob.id}>" in m.content
    )
    assert notice.embeds[0]["title"] == "Your question was not accepted"
    assert notice.embeds[0]["fields"][0]["value"] == "The choices do not fit the question."
    async with db.read() as session:
        statuses = list(
            await session.scalars(select(QuestionSubmission.status).order_by(QuestionSubmission.id))
        )
    assert statuses == ["approved", "rejected"]
    assert await count(db, PackQuestion) == 1
    # The next tick sends neither notice again.
    before = len(sandbox.dm_messages(world.alice))
    await mentor.delivery.tick()
    assert len(sandbox.dm_messages(world.alice)) == before

    # /mydata: the submissions are the member's; deleting removes the credit, not the question.
    exported = await mentor.services.mydata.export(world.alice.id)
    assert [s["status"] for s in exported["question_submissions"]] == ["approved"]
    assert len(exported["authored_pack_questions"]) == 1
    await mentor.services.mydata.delete(world.alice.id)
    async with db.read() as session:
        (kept,) = await session.scalars(select(PackQuestion))
        assert kept.author_id is None
        remaining = list(await session.scalars(select(QuestionSubmission.user_id)))
    assert remaining == [world.bob.id]


@pytest.mark.parametrize("fmt", ["toml", "json"])
async def test_line_numbers_in_errors(
    sandbox: Sandbox, world: World, mentor: MentorBot, content: Content, fmt: str
) -> None:
    questions = pack_questions(content, 2)
    questions[1]["explanation"] = "Too short."
    data = toml_pack(questions) if fmt == "toml" else json.dumps(questions, indent=2).encode()
    reply = await import_pack(sandbox, world.guild, world.mod, f"p.{fmt}", data)
    line = 18 if fmt == "toml" else 29
    assert (
        f'line {line}, question 2 ("pq-1"), field `explanation`: String should have at least 20 characters'
        in reply.content
    )
