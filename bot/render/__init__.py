"""Presentation: embeds, labels and images. No database access, no domain decisions."""
