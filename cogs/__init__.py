"""The Discord edge: one module or package per feature, each a cog with its slash commands."""
