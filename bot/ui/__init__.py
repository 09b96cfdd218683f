"""Discord-facing presentation: replies, error reporting, views and buttons, checks, embeds, images.

Modules here are shared by the cogs; ``embeds/`` holds one module per feature. Nothing in
this package touches the database or makes a domain decision.
"""
