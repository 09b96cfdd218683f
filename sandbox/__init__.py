"""A local Discord for tests, benchmarks and the offline console.

The sandbox serves enough of Discord's REST API v10 and JSON gateway (zlib-stream or
zstd-stream) for the unmodified discord.py client, and plays Discord's users for tests::

    from bot.endpoints import point_discord_at
    from sandbox import Sandbox

    sandbox = await Sandbox(shard_count=1).start()     # 127.0.0.1, ephemeral port
    point_discord_at(sandbox.api_base, gateway_url=sandbox.gateway_url)
    guild = sandbox.add_guild("Study Group")           # #general, a voice channel, a category
    alice = sandbox.add_user("alice")
    sandbox.add_member(guild, alice, manage_guild=False)
    # start the bot with sandbox.token, then:
    await sandbox.wait_until_ready()                   # every shard has READY + its guilds
    await sandbox.wait_for_commands()

    msg = await sandbox.run_command("skill", user=alice, guild=guild, name="docker")
    msg.content, msg.embeds, msg.buttons, msg.attachments, msg.ephemeral
    await sandbox.run_command("mod quiz-schedule", user=mod, guild=guild,
                              options={"channel": guild.general}, time="09:00")
    choices = await sandbox.autocomplete("skill", "name", "dock", user=alice, guild=guild)
    result = await sandbox.click(msg, "Quiz me", user=alice)   # a Message or a Modal
    result = await sandbox.select(msg, "Pick a topic", ["docker"], user=alice)
    result = await sandbox.submit_modal(modal, {"answer": "text"}, user=alice)
    await sandbox.wait_for_message(guild.general, check=lambda m: "quiz" in m.content)
    await sandbox.wait_for_dm(alice)
    sandbox.channel_messages(channel, visible_to=alice); sandbox.dm_messages(alice)

Options are keywords; names clashing with the method's own (``channel``, ``user``…) go in
``options=``. Messages returned are live: later edits by the bot show on them.

Failure switches: ``close_dms(user)`` (50007), ``forbid_channel(channel)`` (50013),
``delete_channel(channel)`` (10003), ``force_429(method, path_prefix, retry_after)``, and
``await disconnect_shard(shard_id, resumable=True)`` (the client RESUMEs, or re-IDENTIFYs),
and ``inject_fault(method, path_prefix, kind)`` (a connection reset before or after the
request is handled, a 500, or a request that never answers). Message creates honour
``nonce`` + ``enforce_nonce`` like Discord: a repeat within ``nonce_window`` seconds
returns the first message instead of creating another.
``run_command`` refuses, like Discord hiding the command, when the member lacks its
``default_member_permissions``, unless ``bypass_permissions=True``. Interactions not
acknowledged within ``interaction_deadline`` (3 s, as on Discord) fail on both sides.

``sandbox.stats`` counts requests, 429s, command syncs, identifies and resumes;
``sandbox.latencies`` logs INTERACTION_CREATE → callback times, and
``await sandbox.drive(command, n, concurrency, user=..., guild=...)`` returns them for a
burst. Every wait raises SandboxTimeout naming what it awaited; ``internal_errors`` lists
sandbox bugs (answered 503) and should stay empty.
"""

from sandbox.errors import SandboxError, SandboxTimeout
from sandbox.models import (
    Attachment,
    Button,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Modal,
    Role,
    SelectMenu,
    User,
)
from sandbox.options import Forged
from sandbox.sandbox import Sandbox, SandboxStats

__all__ = [
    "Attachment",
    "Button",
    "Channel",
    "ChannelType",
    "Forged",
    "Guild",
    "Member",
    "Message",
    "Modal",
    "Role",
    "Sandbox",
    "SandboxError",
    "SandboxStats",
    "SandboxTimeout",
    "SelectMenu",
    "User",
]
