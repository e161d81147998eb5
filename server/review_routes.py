"""The staff's review page: annotate the messages the assistant got wrong, in a browser.

    GET  /review                 the page (server/static/review.html): plain HTML and JS, no
                                 CDN; the staff token typed there is kept in sessionStorage
                                 and sent as `Authorization: Bearer …`
    GET  /review/candidates      {"candidates": [...], "intents", "entities", "total"}: the
                                 stored messages worth reviewing, most useful first (masked),
                                 each with the current model's guess and its markup
                                 (?limit=50&days=N)
    POST /review/annotations     {"id", "intent", "text"? (Rasa markup), "new_intent"?,
                                 "dismiss"?}: saved into .switchboard/annotations.yml;
                                 400 listing every problem of an invalid one

The JSON routes need a staff token with the `agent` scope (server.auth). The page itself
holds no data and is served to anyone (a browser cannot send a bearer token when it
navigates): it asks for the token, then calls the JSON routes with it.
`cli.py data merge` writes the annotations into data/.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Query
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from server import auth as access

PAGE = Path(__file__).parent / "static" / "review.html"
PAGE_PATH = "/review"


class AnnotationBody(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    intent: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=4000)
    new_intent: bool = False
    dismiss: bool = False


def add_review_routes(app: FastAPI, agent) -> set[str]:
    """Mount the review page and its JSON routes on `app` (around `agent`'s project and
    store); returns the paths that need no token (the page)."""
    from learning.annotations import (
        AnnotationInvalid,
        Annotations,
        example_text,
        markup_of,
    )
    from learning.review import guess, review

    project = agent.project

    @app.get(PAGE_PATH)
    def page() -> FileResponse:
        """The page (static: the data routes below check the token)."""
        return FileResponse(PAGE, media_type="text/html",
                            headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})

    def understand(text: str):
        return agent.understand(text)

    @app.get("/review/candidates")
    def candidates(limit: int = Query(50, ge=1, le=500), days: float | None = Query(None, gt=0)) -> dict:
        access.require("agent")
        found = review(project, agent.store, days)
        shown = []
        for candidate in found[:limit]:
            intent, entities = guess(understand if agent.parser is not None else None, candidate)
            shown.append({**candidate.to_dict(), "guess": intent,
                          "markup": markup_of(example_text(candidate.text), entities)})
        return {"candidates": shown, "total": len(found), "intents": list(project.domain.intents),
                "entities": list(project.domain.entities)}

    @app.post("/review/annotations")
    def annotate(body: AnnotationBody):
        staff = access.require("agent")
        who = staff.name if staff.name not in ("admin", "local") else None
        candidate = next((c for c in review(project, agent.store) if c.id == body.id), None)
        if candidate is None:
            return JSONResponse({"error": f"no candidate '{body.id}' to review (field id)"}, status_code=404)
        book = Annotations.open(project.root)
        if body.dismiss:
            book.dismiss(candidate, who)
            return {"id": candidate.id, "status": "dismissed"}
        if not body.intent:
            return JSONResponse({"error": "invalid request: intent", "fields": [
                {"field": "intent", "problem": "an intent, or dismiss: true"}]}, status_code=400)
        try:
            entry = book.annotate(project.domain, candidate, body.intent, body.text, who, body.new_intent)
        except AnnotationInvalid as exc:
            return JSONResponse({"error": "invalid annotation", "problems": exc.problems}, status_code=400)
        return {"id": candidate.id, "status": entry.status, "intent": entry.intent,
                "text": entry.text, "entities": [vars(s) for s in entry.entities]}

    return {PAGE_PATH}
