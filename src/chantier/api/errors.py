"""The API's error shape and the responses every operation declares (API.md)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class FieldError(Schema):
    field: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


def error_body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": errors or []}


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def responses(ok: dict[int, Any]) -> dict[int, Any]:
    """`ok` plus the 4xx every operation may answer, so the schema documents them."""
    return {**ok, **ERRORS}
