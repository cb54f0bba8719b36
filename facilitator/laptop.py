"""Laptop mode (``facilitator room``): the afternoon served from the facilitator's laptop.

Two things a server would have in its configuration are found or kept here:

- the address phones reach the laptop at: the IPv4 address of the interface
  the default route leaves by, read from the system's tables (the routing
  table, ``ip``/``ifconfig``), never by sending anything;
- the secret key and the organiser key, generated once and kept in the
  instance folder beside the SQLite file, so a restart keeps every page's
  signed token and cookie valid.

No Flask imports: the command line calls this before the app exists.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

#: the file in the instance folder that keeps laptop mode's generated secrets
SECRETS_FILE = "room-secrets.json"
RTF_UP = 0x1


@dataclass(frozen=True)
class Candidate:
    """An address of this computer that phones on the same network may reach."""

    address: str
    interface: str | None = None
    default_route: bool = False


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (a URL's host) names this computer only: ``localhost``, 127.x,
    ::1, or the unspecified address a server binds to (never a place to go to)."""
    if not host:
        return True
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_unspecified


def url_is_loopback(url: str) -> bool:
    """Whether a base URL leads only to this computer (see ``is_loopback_host``)."""
    try:
        return is_loopback_host(urlsplit(url).hostname)
    except ValueError:
        return True


# -- the default route's interface --------------------------------------------------
def default_interface_from_route_table(text: str) -> str | None:
    """The interface of the default IPv4 route in Linux's ``/proc/net/route`` (the one
    with the lowest metric when there are several)."""
    best: tuple[int, str] | None = None
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8 or fields[1] != "00000000" or fields[7] != "00000000":
            continue
        try:
            flags, metric = int(fields[3], 16), int(fields[6])
        except ValueError:
            continue
        if flags & RTF_UP and (best is None or metric < best[0]):
            best = (metric, fields[0])
    return best[1] if best else None


def default_interface_from_route_get(text: str) -> str | None:
    """The interface in the output of ``route -n get default`` (macOS, BSD)."""
    for line in text.splitlines():
        name, _, value = line.strip().partition(":")
        if name == "interface" and value.strip():
            return value.strip()
    return None


# -- the addresses of each interface ------------------------------------------------
def _usable(address: str) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (parsed.is_loopback or parsed.is_unspecified or parsed.is_multicast
                or parsed.is_link_local)


def addresses_from_ip_json(text: str) -> list[tuple[str, str]]:
    """(interface, IPv4 address) pairs from ``ip -j -4 addr show`` (Linux)."""
    try:
        links = json.loads(text)
    except ValueError:
        return []
    found = []
    for link in links if isinstance(links, list) else []:
        name = link.get("ifname") if isinstance(link, dict) else None
        for info in (link.get("addr_info") or []) if isinstance(link, dict) else []:
            local = info.get("local") if isinstance(info, dict) else None
            if info.get("family") == "inet" and isinstance(local, str) and _usable(local):
                found.append((str(name), local))
    return found


def addresses_from_ifconfig(text: str) -> list[tuple[str, str]]:
    """(interface, IPv4 address) pairs from ``ifconfig`` (macOS, BSD, older Linux)."""
    found = []
    interface = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            interface = line.split(":", 1)[0].split()[0] if line.split() else None
            continue
        words = line.split()
        if len(words) >= 2 and words[0] == "inet":
            address = words[1].removeprefix("addr:")
            if _usable(address) and ":" not in address:
                found.append((str(interface), address))
    return found


def addresses_from_hostname(resolve: Callable[..., list] = socket.getaddrinfo,
                            hostname: str | None = None) -> list[tuple[str | None, str]]:
    """IPv4 addresses the computer's own name resolves to (no interface known)."""
    try:
        infos = resolve(hostname or socket.gethostname(), None, socket.AF_INET,
                        socket.SOCK_STREAM)
    except OSError:
        return []
    seen: list[tuple[str | None, str]] = []
    for info in infos:
        address = info[4][0]
        if _usable(address) and (None, address) not in seen:
            seen.append((None, address))
    return seen


#: interfaces of containers, virtual machines and VPN tunnels: no phone is on them
VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "lxc", "lxd",
                    "podman", "cni", "flannel", "tun", "tap", "utun", "wg", "zt", "tailscale")


def is_virtual(interface: str | None) -> bool:
    return bool(interface) and interface.lower().startswith(VIRTUAL_PREFIXES)


def choose(pairs: list[tuple[str | None, str]], default: str | None) -> list[Candidate]:
    """The candidates, each address once: the default route's interface first, then real
    interfaces (a hotspot without internet has no default route), virtual ones last."""
    candidates: list[Candidate] = []
    for interface, address in pairs:
        if any(c.address == address for c in candidates):
            continue
        candidates.append(Candidate(address, interface, default is not None
                                    and interface == default))
    return sorted(candidates, key=lambda c: (not c.default_route, is_virtual(c.interface)))


def _run(args: list[str]) -> str:
    if shutil.which(args[0]) is None:
        return ""
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=5,
                              check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def detect_addresses(run: Callable[[list[str]], str] = _run,
                     read: Callable[[str], str] = _read) -> list[Candidate]:
    """This computer's addresses that phones may reach, the default route's first.

    Reads the routing table and the interfaces' addresses only: nothing is sent to
    the network (a venue's network, or a workplace's, may not want to see it)."""
    route = read("/proc/net/route")
    default = default_interface_from_route_table(route) if route else \
        default_interface_from_route_get(run(["route", "-n", "get", "default"]))
    pairs: list[tuple[str | None, str]] = list(addresses_from_ip_json(
        run(["ip", "-j", "-4", "addr", "show"])))
    if not pairs:
        pairs = list(addresses_from_ifconfig(run(["ifconfig"])))
    if not pairs:
        pairs = addresses_from_hostname()
    return choose(pairs, default)


def base_url(address: str, port: int) -> str:
    """``http://address:port`` (an IPv6 address in brackets)."""
    host = f"[{address}]" if ":" in address and not address.startswith("[") else address
    return f"http://{host}:{port}"


# -- the secrets kept in the instance folder ----------------------------------------
def kept_secrets(instance: str) -> dict[str, str]:
    """The secret key and organiser key of laptop mode, made once and then read back
    from ``<instance>/room-secrets.json`` (readable by the owner only)."""
    path = os.path.join(instance, SECRETS_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            kept = json.load(handle)
    except (OSError, ValueError):
        kept = {}
    if not isinstance(kept, dict):
        kept = {}
    wanted = {"SECRET_KEY": lambda: secrets.token_hex(32),
              "ORGANISER_TOKEN": lambda: secrets.token_urlsafe(18)}
    if all(isinstance(kept.get(name), str) and kept[name] for name in wanted):
        return {name: kept[name] for name in wanted}
    fresh = {name: kept.get(name) if isinstance(kept.get(name), str) and kept.get(name)
             else make() for name, make in wanted.items()}
    os.makedirs(instance, exist_ok=True)
    temporary = path + ".new"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(fresh, handle)
    os.replace(temporary, path)  # a crash mid-write leaves the old file or none
    return fresh
