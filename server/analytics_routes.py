"""The analytics page and its data, beside the agent inbox.

    GET /analytics                  the page (server/static/analytics.html: charts drawn as
                                    inline SVG, no script from elsewhere; no secret in it: the
                                    staff token is typed in and kept in sessionStorage)
    GET /analytics/data?days=30     `analytics.figures.Report` as JSON (`since=YYYY-MM-DD`
                                    instead of days; `channel=` to keep one channel)

The data needs a staff token with scope `agent` or `metrics` (401 without a valid token,
403 with neither scope). It is read from the agent's tracker store as stored: masked where
the store masks, nothing unsealed.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse

from analytics.conversations import FALLBACK_ACTIONS
from analytics.figures import analyse, fallback_actions, window
from server import auth as access

ANALYTICS_PAGE = Path(__file__).parent / "static" / "analytics.html"
PAGE_PATH = "/analytics"


def require_staff() -> access.Principal:
    """The current principal if it may read the figures (scope agent or metrics)."""
    principal = access.current.get()
    if principal is None or not (principal.may("agent") or principal.may("metrics")):
        who = principal.name if principal else "this request"
        raise access.Forbidden(f"{who} may not do this: it needs a staff token with scope "
                               "'agent' or 'metrics'")
    return principal


def add_analytics_routes(app: FastAPI, agent) -> tuple[str, ...]:
    """Mount the page and its data; the paths that need no token (the page), for the
    app's guard."""
    project = getattr(agent, "project", None)
    fallbacks = fallback_actions(project) if project is not None else FALLBACK_ACTIONS

    @app.get(PAGE_PATH, include_in_schema=False)
    def analytics_page() -> FileResponse:
        return FileResponse(ANALYTICS_PAGE, media_type="text/html")

    @app.get(PAGE_PATH + "/data")
    async def analytics_data(days: int = Query(30, ge=1, le=3660),
                             since: str | None = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}$"),
                             channel: str | None = Query(None, max_length=200)):
        require_staff()
        try:
            start, until = window(days, since)
        except ValueError:
            return JSONResponse({"error": f"'{since}' is not a date YYYY-MM-DD (field since)"},
                                status_code=400)
        # a scan of the whole store takes seconds: off the event loop
        report = await run_in_threadpool(analyse, agent.store, start, until, channel, fallbacks)
        return report.to_json()

    return (PAGE_PATH,)
