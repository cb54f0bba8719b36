"""A phone behind a proxy that refuses WebSocket upgrades still connects, through
long-polling (review issue 19, item 8).

Some venue and corporate proxies strip or refuse ``Upgrade: websocket``. The
pages try WebSocket first; without ``tryAllTransports`` the client retried
WebSocket for ever and the phone stayed on *Geen verbinding*. Here a tiny
proxy in the test forwards plain HTTP to the real server and answers every
WebSocket upgrade with 400, as such a proxy does.
"""

from __future__ import annotations

import http.client
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from .conftest import ORGANISER
from .helpers import PHONE, Api, shot

pytestmark = pytest.mark.browser

TIMEOUT = 15_000
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
              "transfer-encoding", "upgrade", "proxy-authorization", "proxy-authenticate"}


class NoUpgradeProxy:
    """Forwards HTTP to ``upstream`` keeping the Host header (as nginx with
    ``$http_host``), refuses WebSocket upgrades with 400, and counts both."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.refused: list[str] = []
        self.polling: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: simple and enough

            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

            def forward(self) -> None:
                if self.headers.get("Upgrade", "").lower() == "websocket":
                    proxy.refused.append(self.path)
                    self.send_response(400)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if "transport=polling" in self.path:
                    proxy.polling.append(self.command)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in HOP_BY_HOP}
                upstream = http.client.HTTPConnection(proxy.upstream.hostname,
                                                      proxy.upstream.port, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                    self.send_response(answer.status, answer.reason)
                    for key, value in answer.getheaders():
                        if key.lower() in HOP_BY_HOP or key.lower() == "content-length":
                            continue
                        if key.lower() == "location":
                            value = value.replace(proxy.upstream_base, proxy.base)
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    upstream.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.upstream_base = f"{self.upstream.scheme}://{self.upstream.netloc}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NoUpgradeProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_phone_connects_by_polling_when_websocket_upgrades_are_refused(server, browser,
                                                                     screenshots):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    api = Api(server, ORGANISER)
    session = api.create_session()
    with NoUpgradeProxy(server) as proxy:
        ctx = browser.new_context(locale="nl-NL", reduced_motion="reduce", **PHONE)
        ctx.set_default_timeout(TIMEOUT)
        try:
            page = ctx.new_page()
            page.goto(session["join_url"].replace(server, proxy.base))
            page.locator("input[name=perspective][value=raadslid]").check()
            page.get_by_role("button", name="Deelnemen").click()
            expect(page).to_have_url(re.compile(rf"^{re.escape(proxy.base)}/p/"))
            status = page.locator("[data-connection]")
            expect(status).to_have_attribute("data-state", "connected")
            expect(status).to_have_text("Verbonden")
            assert proxy.refused, "the page never tried WebSocket: the test proves nothing"
            assert "POST" in proxy.polling  # the socket's packets went over long-polling

            # A live event reaches the phone over polling: the step change shows
            # the circle's writing field without a reload.
            api.goto(session, "circle")
            field = page.get_by_label(
                "Wat vindt u van deze resultaten, vanuit uw perspectief?")
            expect(field).to_be_visible()
            # ... and an action goes back over it: a post is acknowledged and listed.
            text = "Via long-polling geplaatst, achter een strenge proxy."
            field.fill(text)
            page.get_by_role("button", name="Plaatsen").tap()
            expect(page.locator("[data-circle-list]")).to_contain_text(text)
            expect(page.locator("[data-outbox]")).to_be_hidden()
            assert [r["text"] for r in api.reflections(session)] == [text]
            expect(status).to_have_attribute("data-state", "connected")
            shot(page, screenshots, "95-phone-connected-by-polling")
        finally:
            ctx.close()


def test_phone_falls_back_to_polling_when_the_websocket_hangs(server, browser):
    """A proxy that accepts the upgrade but passes nothing: the WebSocket opens and
    stays silent. No transport error comes, only the manager's timeout (20 s);
    after it the page starts its next attempts with polling."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    api = Api(server, ORGANISER)
    session = api.create_session()
    ctx = browser.new_context(locale="nl-NL", reduced_motion="reduce", **PHONE)
    ctx.set_default_timeout(TIMEOUT)
    hung: list[str] = []
    try:
        page = ctx.new_page()
        # neither connect_to_server nor close: the socket is open but nothing comes
        page.route_web_socket(re.compile(r".*/socket\.io/.*"), lambda ws: hung.append(ws.url))
        page.goto(session["join_url"])
        page.locator("input[name=perspective][value=raadslid]").check()
        page.get_by_role("button", name="Deelnemen").click()
        status = page.locator("[data-connection]")
        expect(status).to_have_attribute("data-state", "connected", timeout=40_000)
        assert hung, "the page never tried WebSocket: the test proves nothing"
        api.goto(session, "circle")
        expect(page.get_by_label(
            "Wat vindt u van deze resultaten, vanuit uw perspectief?")).to_be_visible()
    finally:
        ctx.close()
