"""Hostile HTTP (issue 17 point 3) on a real server: a chunked body past the limit, paths
that would grow or break /metrics, out-of-range ids, a non-ASCII bearer token: each gets a
4xx, never a 500, and the server goes on answering."""
from __future__ import annotations

import http.client


def test_a_chunked_body_past_the_limit_is_refused_as_it_arrives(make_server) -> None:
    with make_server() as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        chunks = (b'{"sender": "x", "message": "' + b"a" * 16_384 for _ in range(64))  # 1 MiB
        connection.request("POST", "/webhooks/rest/webhook", body=chunks,
                           headers={"Content-Type": "application/json"}, encode_chunked=True)
        response = connection.getresponse()
        assert response.status == 413 and b"request body over" in response.read()
        connection.close()
        assert server.call("GET", "/health")[0] == 200


def test_metrics_labels_come_from_routes_only(make_server) -> None:
    with make_server() as server:
        for path in ("/ann@example.com", "/x%22%7D%20y", "/a/b/c", "/handoffs/1/nope"):
            assert server.call("GET", path)[0] == 404
        server.call("PROPFIND", "/health")  # a method the HTTP parsers know and the API has not
        status, text = server.call("GET", "/metrics")
    assert status == 200
    assert "example.com" not in text and "%22" not in text and '"}' not in text.replace('"} ', "")
    assert 'path="unmatched"' in text and 'method="OTHER"' in text


def test_out_of_range_ids_and_odd_tokens_are_4xx(make_server) -> None:
    with make_server(token="s3cret") as server:
        status, body = server.call("POST", "/handoffs/99999999999999999999999/release", {}, token="s3cret")
        assert status == 400 and "ticket_id" in str(body)
        status, _ = server.call("POST", "/handoffs/0/release", {}, token="s3cret")
        assert status == 400
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.putrequest("GET", "/handoffs")
        connection.putheader("Authorization", "Bearer é".encode("utf-8"))
        connection.endheaders()
        assert connection.getresponse().status == 401


def test_a_foreign_host_header_is_refused_and_there_is_no_cdn_swagger(make_server) -> None:
    """DNS rebinding: a page on evil.example.com resolving to 127.0.0.1 sends its own Host."""
    with make_server() as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.request("GET", "/conversations/anyone/tracker", headers={"Host": "evil.example.com"})
        response = connection.getresponse()
        assert response.status == 400 and b"events" not in response.read()
        assert server.call("GET", "/health")[0] == 200  # 127.0.0.1 itself is answered
        assert server.call("GET", "/docs")[0] == 404
        assert server.call("GET", "/openapi.json")[0] == 200


def test_a_huge_content_length_with_no_body_is_refused_at_once(make_server) -> None:
    with make_server() as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.putrequest("POST", "/webhooks/rest/webhook")
        connection.putheader("Content-Length", "99999999999")
        connection.endheaders()  # and never send the body
        assert connection.getresponse().status == 413
