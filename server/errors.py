"""The API's error answer, one shape for every route: `{"error": message}`, plus `fields`
(what was wrong with each field of the request) when there are any, and any other details
a route adds (the holder of a claimed ticket: `assignee`)."""
from __future__ import annotations

from fastapi.responses import JSONResponse


def error(status: int, message: str, fields: list[dict] | None = None, **extra) -> JSONResponse:
    body = {"error": message, **({"fields": fields} if fields else {}), **extra}
    return JSONResponse(body, status_code=status)
