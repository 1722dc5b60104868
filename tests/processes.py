"""What a running assistant looks like from outside: its processes, their command lines, and the
addresses its servers listen on (read from /proc, as any local user could)."""
from __future__ import annotations

import socket
from pathlib import Path


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on port, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                address, hex_port = fields[1].split(":")
                if fields[3] != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                    continue
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:  # four 32-bit words, each in host (little-endian) order
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


def non_loopback_address() -> str:
    """An IPv4 address of this machine that other hosts could reach (its route to the outside)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.250", 9))  # no packet is sent: this only picks the outgoing address
        address = probe.getsockname()[0]
    assert not address.startswith("127."), "this test needs a machine with a network address"
    return address


def cmdline(pid: int) -> list[str]:
    return [arg.decode(errors="replace") for arg in (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")]


def children(pid: int) -> list[tuple[int, list[str]]]:
    """(pid, argv) of each direct child of pid."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            argv = cmdline(int(entry.name))
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append((int(entry.name), argv))
    return found


def descendants(pid: int) -> list[int]:
    found = []
    for child, _ in children(pid):
        found += [child, *descendants(child)]
    return found


def child_running(pid: int, module: str, port: int | None = None) -> int | None:
    """The pid of pid's child running `python -m module` (on `--port port`), or None."""
    for child, argv in children(pid):
        if "-m" in argv and argv[argv.index("-m") + 1] == module and (
                port is None or ("--port" in argv and argv[argv.index("--port") + 1] == str(port))):
            return child
    return None
