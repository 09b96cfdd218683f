"""``/mod pack import|list|export|delete|mix``: a server's own question packs."""

from __future__ import annotations

import asyncio
import io

import discord
from discord import app_commands

from bot.app import MentorBot
from bot.content.packfile import PackFileError, check_size, pack_name, parse_pack
from bot.services.errors import UserError
from bot.ui.embeds import packs as render
from bot.ui.replies import reply
from bot.ui.style import clip, counted
from bot.ui.views import Confirmation
from cogs.server_packs._utils import moderator_guild


async def pack_autocomplete(
    interaction: discord.Interaction[MentorBot], current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    names = await interaction.client.services.packs.pack_names(interaction.guild_id)
    folded = current.casefold()
    return [app_commands.Choice(name=n, value=n) for n in names if folded in n][:25]


@app_commands.describe(
    file="A .toml, .json or .csv file of questions in the shape of the built-in ones (≤ 1 MB)",
    name="The pack's name (default: the file's name)",
)
async def pack_import(
    interaction: discord.Interaction[MentorBot],
    file: discord.Attachment,
    name: app_commands.Range[str, 1, 40] | None = None,
) -> None:
    guild_id = moderator_guild(interaction)
    services = interaction.client.services
    try:
        check_size(file.size)  # before downloading anything
        slug = pack_name(file.filename, name)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        # ~1 ms a question (TOML parsing and the fairness checks): off the event loop.
        pack = await asyncio.to_thread(parse_pack, file.filename, data, services.content)
        result = await services.packs.import_pack(
            guild_id=guild_id, name=slug, pack=pack, moderator_id=interaction.user.id
        )
    except PackFileError as error:
        await reply(interaction, render.refused(error.summary()))
        return
    mix = await services.packs.mix_percent(guild_id)
    await reply(interaction, render.imported(result, mix))


async def pack_list(interaction: discord.Interaction[MentorBot]) -> None:
    guild_id = moderator_guild(interaction)
    packs = interaction.client.services.packs
    await reply(
        interaction,
        embed=render.pack_list(await packs.list_packs(guild_id), await packs.mix_percent(guild_id)),
    )


@app_commands.describe(name="The pack to export")
@app_commands.autocomplete(name=pack_autocomplete)
async def pack_export(interaction: discord.Interaction[MentorBot], name: str) -> None:
    guild_id = moderator_guild(interaction)
    text = await interaction.client.services.packs.export_pack(guild_id, name)
    await reply(
        interaction,
        f"The `{clip(name, 40)}` pack, ready to edit and import again.",
        file=discord.File(io.BytesIO(text.encode()), filename=f"{name}.toml"),
    )


@app_commands.describe(name="The pack to delete")
@app_commands.autocomplete(name=pack_autocomplete)
async def pack_delete(interaction: discord.Interaction[MentorBot], name: str) -> None:
    guild_id = moderator_guild(interaction)
    packs = await interaction.client.services.packs.list_packs(guild_id)
    pack = next((p for p in packs if p.name == name), None)
    if pack is None:
        raise UserError(f"There is no pack named `{clip(name, 40)}` here; see /mod pack list.")

    async def delete_it(pressed: discord.Interaction[MentorBot]) -> None:
        count = await pressed.client.services.packs.delete_pack(guild_id, name)
        await pressed.response.edit_message(
            content=f"🗑️ Deleted the `{clip(name, 40)}` pack ({counted(count, 'question')}); "
            "they are not asked again.",
            view=None,
        )

    await reply(
        interaction,
        f"Delete the `{clip(name, 40)}` pack and its {counted(pack.questions, 'question')} for "
        f"good? `/mod pack export name: {clip(name, 40)}` first keeps a copy you can import again.",
        view=Confirmation(
            interaction.user.id,
            label="Delete the pack",
            on_confirm=delete_it,
            cancelled="Nothing was deleted.",
        ),
    )


@app_commands.describe(percent="Share of daily and practice questions drawn from the packs")
async def pack_mix(
    interaction: discord.Interaction[MentorBot], percent: app_commands.Range[int, 0, 100]
) -> None:
    guild_id = moderator_guild(interaction)
    value = await interaction.client.services.packs.set_mix(guild_id, percent)
    await reply(
        interaction,
        f"✅ {value}% of this server's daily and practice questions now come from its packs "
        "(when it has pack questions for the topic).",
    )


def pack_group(parent: app_commands.Group) -> app_commands.Group:
    """``/mod pack …`` under the ``/mod`` group."""
    group = app_commands.Group(
        name="pack", description="This server's own question packs.", parent=parent
    )
    for name, description, callback in (
        ("import", "Upload a question pack (TOML, JSON or CSV).", pack_import),
        ("list", "This server's question packs.", pack_list),
        ("export", "Download a pack as TOML.", pack_export),
        ("delete", "Delete a pack; its questions are not asked again.", pack_delete),
        ("mix", "How much of the daily question and practice comes from the packs.", pack_mix),
    ):
        group.add_command(
            app_commands.Command(
                name=name, description=description, callback=callback, parent=group
            )
        )
    return group
