"""What may be said of an error: in a dead letter's headers, the field paths of a validation error
and an error's text; in a log line, only field paths or the kind of error (and a database error's
SQLSTATE) — exception texts can quote patient data."""

from __future__ import annotations

from pydantic import ValidationError


def describe(exc: BaseException) -> str:
    """An error text without input values: validation errors would otherwise echo patient data."""
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in exc.errors(include_input=False)
        ]
        return f"{exc.title} validation failed: " + "; ".join(parts[:20])
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def loggable(exc: BaseException) -> str:
    """What may go into a log line: field paths of a validation error, otherwise only the kind of
    error (and a database error's SQLSTATE) — other exception texts can quote patient data."""
    if isinstance(exc, ValidationError):
        return describe(exc)
    sqlstate = getattr(exc, "sqlstate", None)
    return type(exc).__name__ + (f" (SQLSTATE {sqlstate})" if sqlstate else "")
