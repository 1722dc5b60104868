"""Child processes for the benchmarks: start in their own process group, read their memory and
CPU time from /proc (the whole process tree), and stop them and everything they started.
"""
from __future__ import annotations

import os
import platform
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.runtime import die_with_parent

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces.
    return raw[raw.rindex(")") + 2:].split()


def children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree(pid: int) -> list[int]:
    """pid and all its descendants that are alive now."""
    kids = children_map()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        if Path(f"/proc/{current}").exists():
            found.append(current)
        todo.extend(kids.get(current, []))
    return found


def cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def rss_mib(pids: list[int]) -> float:
    """Sum of the resident set sizes (VmRSS) of these processes, in MiB."""
    total = 0
    for pid in pids:
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += pages * PAGE
    return total / 2**20


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time these processes have used so far."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


def free_ports(count: int = 1) -> int:
    """The first of `count` consecutive TCP ports nobody listens on (RASA_SERVERS uses consecutive ports)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count > 65535:
            continue
        held = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                held.append(sock)
            return first
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports found")


@dataclass
class Child:
    """One process the benchmark starts, in a new process group, with its output in a log file."""
    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0  # time.monotonic() just before the process was created

    def start(self) -> "Child":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True, preexec_fn=die_with_parent)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:])

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to its process group, then SIGKILL to whatever of its tree is left.

        The tree is listed first: `python -m bot run` starts its servers in process groups of
        their own, which a signal to its group does not reach.
        """
        if self.proc is None:
            return
        members = tree(self.proc.pid) if self.alive() else []
        self._signal_groups([self.proc.pid, *members], signal.SIGTERM)
        if not self._wait_gone(members, timeout):
            # Only what is still running of this tree, so no other process is ever hit.
            self._signal_groups([p for p in members if _running(p)], signal.SIGKILL)
            self._wait_gone(members, 5)
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    @staticmethod
    def _signal_groups(pids: list[int], sig: int) -> None:
        groups = set()
        for pid in pids:
            try:
                groups.add(os.getpgid(pid))
            except ProcessLookupError:
                pass
        for group in groups:
            try:
                os.killpg(group, sig)
            except (ProcessLookupError, PermissionError):
                pass

    def _wait_gone(self, members: list[int], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.proc.poll()
            if not any(_running(p) for p in members):
                return True
            time.sleep(0.2)
        return False


def _running(pid: int) -> bool:
    """False for a process that is gone or a zombie waiting for its parent."""
    fields = _stat_fields(pid)
    return bool(fields) and fields[0] != "Z"


def run_timed(argv: list[str], cwd: Path, env: dict[str, str], log_path: Path, timeout: float) -> float:
    """Run a command to the end (its own process group), return its wall time; raise on failure."""
    child = Child(argv[0], argv, cwd, env, log_path).start()
    try:
        child.proc.wait(timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"`{' '.join(argv)}` did not finish in {timeout:.0f} s; log {log_path}:\n"
                           f"{child.log_tail()}")
    finally:
        elapsed = time.monotonic() - child.started_at
        child.stop()
    if child.proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` failed (exit {child.proc.returncode}); log {log_path}:\n"
                           f"{child.log_tail()}")
    return elapsed


def machine() -> dict[str, str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cores": str(os.cpu_count()), "cpu": model, "memory": memory,
            "python": platform.python_version(), "kernel": platform.release()}


def machine_busy_seconds() -> float:
    """CPU time all processes on the machine have used since boot (all cores, from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


class OutsideCpu:
    """How much CPU processes other than `ours` (and this one) used between start() and stop(), in cores."""

    def __init__(self, ours: list[int]) -> None:
        self.ours = ours

    def _now(self) -> tuple[float, float, float]:
        return machine_busy_seconds(), cpu_seconds(self.ours) + cpu_seconds([os.getpid()]), time.monotonic()

    def start(self) -> None:
        self._start = self._now()

    def stop(self) -> float:
        busy, mine, when = self._now()
        elapsed = when - self._start[2]
        if elapsed <= 0:
            return 0.0
        return max(0.0, (busy - self._start[0]) - (mine - self._start[1])) / elapsed
