"""Errors raised by the sandbox: to tests (SandboxError) and to the bot (ApiError)."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """A test asked the sandbox for something Discord would not allow or that never happened."""


class SandboxTimeout(SandboxError, TimeoutError):
    """An awaited event did not happen in time; the message names what was awaited."""


class ApiError(Exception):
    """A REST failure answered to the bot as Discord's JSON error body."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        """The JSON body Discord sends for this error."""
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def invalid_form(field: str, message: str, code: str = "BASE_TYPE_INVALID") -> ApiError:
    """Discord's 400 "Invalid Form Body" (50035) pointing at one field."""
    errors: dict[str, Any] = {}
    node = errors
    parts = field.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = {"_errors": [{"code": code, "message": message}]}
    return ApiError(400, 50035, "Invalid Form Body", errors)


MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
MISSING_ACCESS = (403, 50001, "Missing Access")
CANNOT_DM = (403, 50007, "Cannot send messages to this user")
UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
UNKNOWN_GUILD = (404, 10004, "Unknown Guild")
UNKNOWN_USER = (404, 10013, "Unknown User")
UNKNOWN_MEMBER = (404, 10007, "Unknown Member")
UNKNOWN_ROLE = (404, 10011, "Unknown Role")
UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
UNKNOWN_COMMAND = (404, 10063, "Unknown application command")
ALREADY_ACKNOWLEDGED = (400, 40060, "Interaction has already been acknowledged.")
EMPTY_MESSAGE = (400, 50006, "Cannot send an empty message")
NON_TEXT_CHANNEL = (400, 50008, "Cannot send messages in a non-text channel")
CANNOT_EDIT_OTHERS = (403, 50005, "Cannot edit a message authored by another user")
UNAUTHORIZED = (401, 0, "401: Unauthorized")


def api_error(spec: tuple[int, int, str]) -> ApiError:
    """Build an ApiError from one of the (status, code, message) constants above."""
    return ApiError(*spec)
