"""bot.runtime.Supervisor on real child processes: a child that dies is started again after a
back-off that grows while it keeps dying, with one clear line for each event. Time is a clock the
test moves, so the back-off is checked without waiting for it. (The whole `python -m bot run` with
its children killed one by one: tests/integration/test_supervisor.py.)"""
from __future__ import annotations

import os
import signal
import sys
import time

from bot import runtime


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def web_child(tmp_path, port: int) -> runtime.Managed:
    """A small real server that says it is healthy on GET /."""
    return runtime.Managed("test server", [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                           f"http://127.0.0.1:{port}/", dict(os.environ), tmp_path / "server.log")


def crashing_child(tmp_path) -> runtime.Managed:
    return runtime.Managed("crasher", [sys.executable, "-c", "raise SystemExit(3)"], "http://127.0.0.1:9/",
                           dict(os.environ), tmp_path / "crasher.log")


def wait_exit(proc: runtime.Managed) -> None:
    proc.proc.wait(30)


def test_a_killed_child_is_restarted_and_reported(tmp_path):
    child = web_child(tmp_path, runtime.free_port())
    clock, lines = Clock(), []
    supervisor = runtime.Supervisor([child], report=lines.append, clock=clock)
    child.start()
    try:
        child.wait_healthy(60)
        first_pid = child.proc.pid
        supervisor.check()
        assert lines == []  # running: nothing to say

        os.kill(first_pid, signal.SIGKILL)
        wait_exit(child)
        supervisor.check()
        assert len(lines) == 1
        assert "test server stopped unexpectedly (killed by SIGKILL); restarting it in 1 s (crash 1 in a row)" \
            in lines[0]
        assert str(tmp_path / "server.log") in lines[0]

        supervisor.check()  # the back-off is not over: not yet
        assert child.proc.pid == first_pid and len(lines) == 1
        clock.now += 1
        supervisor.check()
        assert child.proc.pid != first_pid and child.proc.poll() is None
        assert f"test server restarted (pid {child.proc.pid})" in lines[1]

        deadline = time.monotonic() + 60
        while len(lines) < 3 and time.monotonic() < deadline:
            supervisor.check()
            time.sleep(0.2)
        assert f"test server is up again (pid {child.proc.pid})" in lines[2]
        assert child.healthy()
    finally:
        child.stop()


def test_the_back_off_doubles_while_a_child_keeps_crashing_and_resets_once_it_ran_a_while(tmp_path):
    child = crashing_child(tmp_path)
    clock, lines = Clock(), []
    supervisor = runtime.Supervisor([child], backoff=runtime.Backoff(first=1, longest=8, settled=60),
                                    report=lines.append, clock=clock)
    child.start()
    delays = []
    for _ in range(6):
        wait_exit(child)
        supervisor.check()  # sees the crash
        crash = [line for line in lines if "stopped unexpectedly" in line][-1]
        assert "(exit code 3)" in crash
        delays.append(float(crash.split("restarting it in ")[1].split(" s")[0]))
        clock.now += delays[-1]
        supervisor.check()  # starts it again; it crashes at once
    assert delays == [1, 2, 4, 8, 8, 8]

    clock.now += 61  # it ran long enough before this crash: start again from the first delay
    wait_exit(child)
    supervisor.check()
    assert "restarting it in 1 s (crash 1 in a row)" in lines[-1]


def test_the_backoff_policy():
    backoff = runtime.Backoff(first=1, longest=30)
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert runtime.exit_reason(-signal.SIGKILL) == "killed by SIGKILL"
    assert runtime.exit_reason(1) == "exit code 1"
