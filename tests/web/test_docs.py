"""The docs carry what the code and a working deploy need: the rules table as the
code has it, and an nginx config that keeps the port and logs no secrets."""

import pathlib
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from facilitator.domain.rules import as_markdown

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy.md"
#: nginx variables that would put a secret or a whole address in the log
LEAKY = ("$request ", "$request\"", "$request'", "$request_uri", "$args", "$query_string",
         "$is_args", "$arg_", "$remote_addr", "$http_referer", "$http_cookie", "$cookie_",
         "$http_authorization", "$binary_remote_addr", "$proxy_add_x_forwarded_for")


def test_rules_table_in_docs_matches_code():
    assert as_markdown() in (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def nginx_blocks() -> list[str]:
    return re.findall(r"```nginx\n(.*?)```", DEPLOY.read_text(encoding="utf-8"), re.S)


def main_config() -> str:
    """The block with the server {} (the others are fragments)."""
    return next(b for b in nginx_blocks() if "server {" in b)


def test_nginx_passes_the_host_with_its_port():
    """Review issue 19, item 15: ``$host`` drops a non-default port, so the
    Origin of every Socket.IO request (https://host:8443) no longer matched."""
    lines = [raw.strip() for block in nginx_blocks() for raw in block.splitlines()]
    hosts = [line.split(None, 2)[2] for line in lines
             if line.startswith("proxy_set_header Host")]
    assert len(hosts) >= 2  # both locations
    assert all(h.startswith("$http_host;") for h in hosts), hosts


def nginx_maps(config: str) -> dict[str, list[tuple[str, str]]]:
    """The ``map $source $target {}`` blocks: target -> [(key, value)] in order."""
    maps = {}
    for target, body in re.findall(r"map \$\w+ \$(\w+) \{\n(.*?)\n\}", config, re.S):
        entries = []
        for line in body.splitlines():
            line = line.split("#", 1)[0].strip().rstrip(";")
            if line:
                key, value = line.split(None, 1)
                entries.append((key, value.strip().strip('"')))
        maps[target] = entries
    return maps


def apply_map(entries: list[tuple[str, str]], value: str) -> str:
    """nginx's map: regexes (``~``) in order, first match wins; PCRE -> Python syntax."""
    for key, result in entries:
        if key.startswith("~"):
            match = re.search(key[1:].replace("(?<", "(?P<"), value)
            if match:
                return match.expand(re.sub(r"\$\{(\w+)\}", r"\\g<\1>", result)).replace(
                    "$uri", value)
    default = dict(entries).get("default", "")
    return value if default == "$uri" else default


def test_the_documented_access_log_keeps_no_secret_links_and_no_whole_addresses(make_session):
    """The secret links carry the token in the path (/f/<code>/<token>,
    /s/<code>/<token>) until the redirect to a cookie: the log masks it."""
    config = main_config()
    formats = re.findall(r"log_format (\w+)(.*?);", config, re.S)
    assert formats, "no log_format in the nginx config"
    name, fmt = formats[0]
    assert re.search(rf"^\s*access_log \S+ {name};", config, re.M), "the server must use it"
    assert not [v for v in LEAKY if v in fmt], fmt
    used = set(re.findall(r"\$(\w+)", fmt))
    maps = nginx_maps(config)
    path_map = next(maps[v] for v in used if v in maps and "uri" in str(maps[v]))
    addr_map = next(maps[v] for v in used if v in maps and "addr" in v)

    session = make_session()
    links = session.created
    for url, token in ((links["facilitator_url"], session.fac),
                       (links["screen_url"], session.screen)):
        path = urlsplit(url).path
        assert token in path  # what the review found: the secret is in the path
        logged = apply_map(path_map, path)
        assert token not in logged
        assert logged.startswith(path.removesuffix(token)) and session.code in logged
    personal = apply_map(path_map, f"/r/{session.code}/{session.fac}")  # registration link
    assert personal == f"/r/{session.code}/[secret]"
    for kept in (f"/f/{session.code}/export", f"/f/{session.code}", f"/j/{session.code}",
                 f"/p/{session.code}", "/socket.io/", "/api/sessions"):
        assert apply_map(path_map, kept) == kept
    assert apply_map(addr_map, "203.0.113.77") == "203.0.113.0"
    assert apply_map(addr_map, "2001:db8:1234:5678::1") == "2001:db8:1234::"
    assert "77" not in apply_map(addr_map, "2001:db8::77")


def test_every_page_route_with_a_secret_in_its_path_is_masked_in_the_log(app):
    """A new secret link (like the registrations' /r/<code>/<token>) must not slip
    into the access log: every route with a ``<token>`` in its path is masked."""
    path_map = nginx_maps(main_config())["facilitator_log_path"]
    secret = "fm4cY7KN3HzxqXjfU3XUDN40sk9-DlrN"
    routes = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(routes) >= 3  # facilitator, screen, personal join link
    for rule in routes:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: secret if m.group(1) == "token"
                      else "ABC123", rule.rule)
        assert secret not in apply_map(path_map, path), rule.rule


class _Upstream(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if "/f/" not in self.path else 302)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not shutil.which("nginx") and not pathlib.Path("/usr/sbin/nginx").exists(),
                    reason="nginx is not installed")
def test_real_nginx_with_the_documented_config_logs_no_secrets(tmp_path):
    """The same config run by nginx itself (when installed): its regexes are PCRE."""
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    port = _free_port()
    config = re.sub(r"upstream facilitator \{.*?\n\}",
                    f"upstream facilitator {{ server 127.0.0.1:{upstream.server_address[1]}; }}",
                    main_config(), flags=re.S)
    config = re.sub(r"listen 443 [^;]*;", f"listen 127.0.0.1:{port};", config)
    config = config.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/main.err;\ndaemon off;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{config}\n}}\n")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    token, sid = "fm4cY7KN3HzxqXjfU3XUDN40sk9-DlrN", "SidOfAnEngineIoSession"
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stderr.read().decode())
                time.sleep(0.05)
        for path in (f"/f/ABC123/{token}", f"/s/ABC123/{token}?x=1", f"/r/ABC123/{token}",
                     f"/socket.io/?EIO=4&transport=polling&sid={sid}", "/f/ABC123/export?names=1"):
            try:
                urllib.request.urlopen(base + path, timeout=5).read()
            except OSError:
                pass  # a 302 without Location: the log line is what counts
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()
        upstream.shutdown()
        upstream.server_close()
    log = (tmp_path / "facilitator.access.log").read_text()  # complete once nginx has stopped
    assert "/f/ABC123/[secret]" in log and "/s/ABC123/[secret]" in log
    assert "/r/ABC123/[secret]" in log
    assert "/f/ABC123/export" in log and "/socket.io/" in log
    assert token not in log and sid not in log and "names=1" not in log
    assert "127.0.0.1" not in log and "127.0.0.0" in log
