"""Errors the user sees: each names the field at fault and says why, in the user's language."""

from __future__ import annotations

from ipcity.core.i18n import Msg


class DomainError(Exception):
    """A refused action. Raised before anything is written, so nothing is half-applied."""

    status = 400

    def __init__(self, message: Msg | str, *, field: str | None = None, problems: list | None = None):
        self.message = message if isinstance(message, Msg) else Msg(message)
        self.field = field
        # Further (field, Msg) problems when a form has several at once.
        self.problems: list[tuple[str | None, Msg]] = problems or [(field, self.message)]
        super().__init__(self.message.render("en"))

    def as_dict(self) -> dict:
        return {
            "error": self.message.render(),
            "field": self.field,
            "problems": [{"field": f, "message": m.render()} for f, m in self.problems],
        }


class PermissionDenied(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409
