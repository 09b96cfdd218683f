"""Errors a user can act on; the Discord edge shows their message ephemerally, as is."""


class UserError(Exception):
    """Something the user asked for cannot be done; the message says why, in one sentence."""
