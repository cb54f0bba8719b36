"""Laptop mode's pieces without a server: the address phones reach (read from the
system's tables, never by sending anything), the secrets kept in the instance folder,
and the settings ``facilitator room`` starts with."""

from __future__ import annotations

import json
import os
import re
import stat

import pytest

from facilitator import cli, laptop

ROUTE = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
wlp2s0\t00000000\t0100A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
enp0s31f6\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0
wlp2s0\t0000A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
"""

IP_JSON = json.dumps([
    {"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1"}]},
    {"ifname": "docker0", "addr_info": [{"family": "inet", "local": "172.17.0.1"}]},
    {"ifname": "wlp2s0", "addr_info": [{"family": "inet", "local": "192.168.0.23"}]},
    {"ifname": "enp0s31f6", "addr_info": [{"family": "inet", "local": "192.168.1.40"},
                                          {"family": "inet", "local": "169.254.3.4"}]},
])

IFCONFIG = """lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384
\tinet 127.0.0.1 netmask 0xff000000
en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\tinet6 fe80::1c2b:3c4d:5e6f:7a8b%en0 prefixlen 64 secured scopeid 0x6
\tinet 10.20.30.40 netmask 0xffffff00 broadcast 10.20.30.255
bridge100: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\tinet 192.168.2.1 netmask 0xffffff00 broadcast 192.168.2.255
"""

ROUTE_GET = """   route to: default
destination: default
       mask: default
    gateway: 10.20.30.1
  interface: en0
      flags: <UP,GATEWAY,DONE,STATIC,PRCLONING,GLOBAL>
"""


def test_the_default_route_with_the_lowest_metric_names_the_interface():
    assert laptop.default_interface_from_route_table(ROUTE) == "enp0s31f6"
    assert laptop.default_interface_from_route_table(ROUTE.splitlines()[0]) is None
    assert laptop.default_interface_from_route_get(ROUTE_GET) == "en0"


def test_addresses_come_from_ip_and_ifconfig_without_loopback_or_link_local():
    assert laptop.addresses_from_ip_json(IP_JSON) == [
        ("docker0", "172.17.0.1"), ("wlp2s0", "192.168.0.23"), ("enp0s31f6", "192.168.1.40")]
    assert laptop.addresses_from_ip_json("not json") == []
    assert laptop.addresses_from_ifconfig(IFCONFIG) == [("en0", "10.20.30.40"),
                                                        ("bridge100", "192.168.2.1")]


def test_the_address_on_the_default_route_comes_first_and_the_others_stay_a_choice():
    files = {"/proc/net/route": ROUTE}
    commands = {"ip": IP_JSON}
    found = laptop.detect_addresses(run=lambda args: commands.get(args[0], ""),
                                    read=lambda path: files.get(path, ""))
    assert [c.address for c in found] == ["192.168.1.40", "192.168.0.23", "172.17.0.1"]
    assert found[0].default_route and found[0].interface == "enp0s31f6"
    assert not any(c.default_route for c in found[1:])


def test_without_a_default_route_a_real_interface_comes_before_a_container_bridge():
    # the laptop's own hotspot, no internet: no default route at all
    pairs = [("docker0", "172.17.0.1"), ("wg0", "10.8.0.2"), ("wlp2s0", "10.42.0.1")]
    found = laptop.choose(pairs, None)
    assert [c.address for c in found] == ["10.42.0.1", "172.17.0.1", "10.8.0.2"]


def test_on_a_mac_the_route_command_and_ifconfig_are_read():
    commands = {"route": ROUTE_GET, "ifconfig": IFCONFIG}
    found = laptop.detect_addresses(run=lambda args: commands.get(args[0], ""),
                                    read=lambda path: "")
    assert [(c.address, c.default_route) for c in found] == [("10.20.30.40", True),
                                                            ("192.168.2.1", False)]


def test_the_hostname_is_the_last_resort():
    def resolve(*_args):
        return [(2, 1, 6, "", ("127.0.1.1", 0)), (2, 1, 6, "", ("10.1.2.3", 0))]

    assert laptop.addresses_from_hostname(resolve, "laptop") == [(None, "10.1.2.3")]


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LOCALHOST.", True), ("app.localhost", True), ("127.0.0.1", True),
    ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("0.0.0.0", True), ("::", True),
    ("::ffff:127.0.0.1", True), ("", True), (None, True), ("192.0.2.10", False),
    ("10.0.0.5", False), ("dialoog.example.nl", False), ("fe80::1", False)])
def test_loopback_hosts_are_recognised(host, loopback):
    assert laptop.is_loopback_host(host) is loopback


def test_url_is_loopback():
    assert laptop.url_is_loopback("http://localhost:8000")
    assert laptop.url_is_loopback("http://[::1]:8000/")
    assert not laptop.url_is_loopback("http://192.0.2.10:8000")
    assert laptop.base_url("192.0.2.10", 8000) == "http://192.0.2.10:8000"
    assert laptop.base_url("2001:db8::5", 8000) == "http://[2001:db8::5]:8000"


def test_the_secrets_are_made_once_and_kept_readable_by_the_owner_only(tmp_path):
    first = laptop.kept_secrets(str(tmp_path / "instance"))
    assert len(first["SECRET_KEY"]) == 64 and len(first["ORGANISER_TOKEN"]) >= 24
    path = tmp_path / "instance" / laptop.SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert laptop.kept_secrets(str(tmp_path / "instance")) == first
    # a damaged file is made anew; a missing key is added, the other kept
    path.write_text(json.dumps({"SECRET_KEY": first["SECRET_KEY"]}))
    again = laptop.kept_secrets(str(tmp_path / "instance"))
    assert again["SECRET_KEY"] == first["SECRET_KEY"] and again["ORGANISER_TOKEN"]
    path.write_text("{broken")
    assert laptop.kept_secrets(str(tmp_path / "instance"))["SECRET_KEY"]


@pytest.fixture
def room_env(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("FACILITATOR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FACILITATOR_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def test_room_uses_the_detected_address_and_keeps_its_secrets(room_env):
    def detect():
        return [laptop.Candidate("192.0.2.10", "wlan0", True),
                laptop.Candidate("198.51.100.7", "eth1")]

    overrides, candidates, warning = cli.room_settings(8000, None, detect)
    assert overrides["PUBLIC_URL"] == "http://192.0.2.10:8000" and warning is None
    assert [c.address for c in candidates] == ["192.0.2.10", "198.51.100.7"]
    assert overrides["INSTANCE_PATH"] == str(room_env)
    again, _, _ = cli.room_settings(8000, None, detect)
    assert again["SECRET_KEY"] == overrides["SECRET_KEY"]
    assert again["ORGANISER_TOKEN"] == overrides["ORGANISER_TOKEN"]


def test_room_takes_the_chosen_address_and_the_configured_public_url_wins(room_env,
                                                                          monkeypatch):
    def no_detection():
        raise AssertionError("detected although the address was given")

    chosen, _, _ = cli.room_settings(8001, "198.51.100.7", no_detection)
    assert chosen["PUBLIC_URL"] == "http://198.51.100.7:8001"
    monkeypatch.setenv("FACILITATOR_PUBLIC_URL", "https://dialoog.example.nl/")
    monkeypatch.setenv("FACILITATOR_SECRET_KEY", "a-secret-key-from-the-environment")
    configured, _, _ = cli.room_settings(8001, "198.51.100.7", no_detection)
    assert configured["PUBLIC_URL"] == "https://dialoog.example.nl"
    assert "SECRET_KEY" not in configured  # the environment's own is used


def test_room_without_a_network_address_warns(room_env):
    overrides, candidates, warning = cli.room_settings(8000, None, lambda: [])
    assert overrides["PUBLIC_URL"] == "http://127.0.0.1:8000" and candidates == []
    assert warning and "phones cannot reach" in warning
    _, _, warning = cli.room_settings(8000, "localhost", lambda: [])
    assert warning


@pytest.fixture
def no_serving(room_env, monkeypatch):
    """``room`` and ``demo`` in this process, up to the point where they would serve."""
    monkeypatch.setenv("FACILITATOR_ASYNC_MODE", "threading")
    served = []
    monkeypatch.setattr(cli, "serve", lambda host, port, app: served.append((host, port)))
    return served


def test_room_prints_the_detected_address_and_the_others_to_choose_from(no_serving, capsys):
    def detect():
        return [laptop.Candidate("192.0.2.10", "wlan0", True),
                laptop.Candidate("198.51.100.7", "eth1")]

    cli.room("127.0.0.1", 8000, detect=detect)
    out = capsys.readouterr().out
    assert no_serving == [("127.0.0.1", 8000)]
    code = re.search(r"\(code (\w+)\)", out).group(1)
    assert f"Phone (join):    http://192.0.2.10:8000/j/{code}" in out
    assert re.search(r"Facilitator:\s+http://192\.0\.2\.10:8000/f/", out)
    assert re.search(r"Screen:\s+http://192\.0\.2\.10:8000/s/", out)
    assert "choose one with --address): 198.51.100.7 (eth1)" in out
    assert "localhost" not in out and "WARNING" not in out
    # the next start serves the same session (no second demo) with the same secrets
    cli.room("127.0.0.1", 8000, detect=detect)
    again = capsys.readouterr().out
    assert re.findall(r"\(code (\w+)\)", again) == [code]
    key = re.compile(r"\(key: (\S+)\)")
    assert key.search(again).group(1) == key.search(out).group(1)


def test_demo_on_this_computer_says_its_links_do_not_reach_phones(no_serving, capsys):
    cli.demo("0.0.0.0", 5000)
    out = capsys.readouterr().out
    assert "http://localhost:5000" in out
    assert "work on this computer only" in out and "./dev room" in out
