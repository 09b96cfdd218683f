"""Discord-facing helpers shared by the cogs: replies, error reporting, base views, checks."""
