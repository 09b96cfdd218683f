"""Backend Mentor: a Discord bot that mentors people learning backend development."""
