"""Text answers, static files included, are gzipped when the browser accepts it."""

import gzip


def test_static_and_pages_are_gzipped(client):
    for path in ("/static/css/app.css", "/vendor/socket.io.min.js", "/join"):
        plain = client.get(path)
        packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert plain.status_code == packed.status_code == 200
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) < len(plain.data)
        plain.close()  # file responses stream: the test client leaves closing to us
        packed.close()


def test_not_modified_and_small_answers_are_left_alone(client):
    first = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    again = client.get("/static/css/app.css", headers={
        "Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and "Content-Encoding" not in again.headers
    first.close()
    again.close()
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers
