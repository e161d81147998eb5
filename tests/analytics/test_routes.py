"""GET /analytics (the page) and /analytics/data (the figures, for staff with scope agent
or metrics), over real HTTP around the example assistant."""
from server.auth import Auth, new_staff_token
from stores.sqlite import SQLiteStore
from tests.analytics.story import fill


def test_the_figures_need_an_agent_or_metrics_token(make_server, tmp_path) -> None:
    tokens = tmp_path / "tokens.yml"
    sam = new_staff_token(tokens, "sam", ["agent"])
    scraper = new_staff_token(tokens, "prometheus", ["metrics"])
    backend = new_staff_token(tokens, "shop-backend", ["channel"])
    store = tmp_path / "conversations.sqlite"
    fill(SQLiteStore(store))
    with make_server(auth=Auth(tokens_file=tokens, secret=b"k"), store_path=store) as server:
        status, page = server.call("GET", "/analytics")  # the page holds no secret
        assert status == 200 and 'href="/inbox"' in page and "sessionStorage" in page
        assert "<script src" not in page and "://" not in page  # nothing loaded from elsewhere
        assert server.call("GET", "/analytics/data")[0] == 401
        assert server.call("GET", "/analytics/data", token="wrong")[0] == 401
        status, error = server.call("GET", "/analytics/data", token=backend)
        assert status == 403 and "'agent' or 'metrics'" in error["error"]
        customer = server.call("POST", "/webhooks/rest/session")[1]["token"]
        assert server.call("GET", "/analytics/data", token=customer)[0] == 403
        for token in (sam, scraper):
            status, data = server.call("GET", "/analytics/data?since=2026-12-01", token=token)
            assert status == 200, data
            assert data["since_date"] == "2026-12-01" and data["total"]["conversations"] == 4
            assert data["days"]["2026-12-02"]["conversations"] == 3
        status, data = server.call("GET", "/analytics/data?since=2026-12-01&channel=slack", token=sam)
        assert data["total"]["conversations"] == 1 and list(data["channels"]) == ["slack"]
        status, data = server.call("GET", "/analytics/data?days=30", token=sam)
        assert status == 200 and data["total"]["conversations"] >= 0
        assert server.call("GET", "/analytics/data?since=yesterday", token=sam)[0] == 400
        assert server.call("GET", "/analytics/data?days=0", token=sam)[0] == 400
