"""Text from members, made safe to store: no NUL or other control characters."""

from __future__ import annotations

import re
import unicodedata

from bot.services.errors import UserError

# C0 and C1 control characters except tab and newline, plus the Unicode "format"
# characters that hide or reorder text (zero-width, bidi overrides).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` without NUL (which PostgreSQL refuses) and other invisible control characters.

    Tabs become spaces; newlines stay; surrounding whitespace goes.
    """
    text = _CONTROL.sub("", text.replace("\t", " "))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf" or c == "\u200d")
    return text.strip()


def one_line(text: str, *, limit: int, what: str, empty: str) -> str:
    """``text`` cleaned onto one line of single spaces; a UserError if empty or too long.

    ``what`` names it in the too-long message ("A season name"); ``empty`` is the whole
    sentence for an empty one.
    """
    line = " ".join(clean_text(text).split())
    if not line:
        raise UserError(empty)
    if len(line) > limit:
        raise UserError(f"{what} can be at most {limit} characters; yours has {len(line)}.")
    return line
