"""Embeds, texts and charts, one module per feature. No database access, no domain decisions."""
