"""This assistant against the stock Rasa 3.6 example bot, in one run on one machine.

    benchmarks/run [--duration 20] [--warmup 5] [--levels 1,8,32] [--servers 1,2] [--no-write]

One after the other, never at once:
1. stock: `rasa init --no-prompt` in a temporary folder (it copies the example project and trains
   it: the training time, with an empty cache), then `rasa run --enable-api` on a free port;
2. ours: `rasa train` of this project into a temporary folder (empty cache), then the assistant
   as production starts it (`python -m bot run`, with a freshly loaded directory), with one Rasa
   server and, when RASA_SERVERS is supported, with two (PostgreSQL tracker store, Redis locks).

For each system: start to ready (process start until every Rasa server answers GET / and one
chat message), resident memory of each Rasa server (its process tree, from /proc) after warm-up,
at peak during load and after load, then 1, 8 and 32 concurrent users in a closed loop
(benchmarks/chat_load.py) for --duration seconds each: p50 and p95 latency per message,
throughput, failed messages. The table (with each figure's ratio to stock and the targets of
issue 6) goes to the terminal and to benchmarks/RESULTS.md. Child processes are stopped and
temporary files removed at the end, also after a failure or Ctrl-C.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import secrets
import shlex
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.chat_load import LevelResult, failure, run_level  # noqa: E402
from benchmarks.processes import (Child, OutsideCpu, cmdline, cpu_seconds, free_ports,  # noqa: E402
                                  machine, rss_mib, run_timed, tree)
from benchmarks.results import write_section  # noqa: E402
from benchmarks.stats import fmt, fmt_ratio, percentile, ratio, yes_no  # noqa: E402

BIN = Path(sys.executable).parent
REST = "/webhooks/rest/webhook"
# The stock bot's own kind of conversation (its intents: greet, mood_unhappy, affirm, bot_challenge, goodbye).
STOCK_CONVERSATION = ["hello", "I am sad", "yes", "are you a bot?", "bye"]
# A resident's: greeting, triage with a place (action server + directory), a directory question,
# triage about someone else, thanks.
OUR_CONVERSATION = ["hello", "I have a sore throat, I'm in Crewe", "where is the nearest pharmacy in Northwich",
                    "my son has earache", "thanks"]
READY_MESSAGE = "hello"
TARGET_READY_S = 20.0
TARGET_RSS_MIB = 1024.0
TARGET_THROUGHPUT_RATIO = 2.0
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/0"
# Settings of the calling shell that would change what `python -m bot run` starts.
OUR_ENV_VARS = ("RASA_AUTH_TOKEN", "TWILIO_AUTH_TOKEN", "SMS_SENDER_KEY", "SMS_PUBLIC_URL", "CHANNEL_DB_URL",
                "TRACKER_STORE_URL", "LOCK_STORE_URL", "ACTION_ENDPOINT_URL", "RASA_SERVERS",
                "DIRECTORY_DB_URL", "CARE_VAR_DIR", "RASA_PORT", "ACTION_PORT", "WEB_PORT", "SANIC_WORKERS")


class Failed(Exception):
    """Something did not start or answer; the message says what and shows the log."""


@dataclass
class SystemResult:
    label: str
    ready_s: float = math.nan                      # the whole system
    server_ready_s: list[float] = field(default_factory=list)
    rss_warm: list[float] = field(default_factory=list)    # per Rasa server, MiB
    rss_peak: list[float] = field(default_factory=list)
    rss_after: list[float] = field(default_factory=list)
    rss_total_after: float = math.nan              # every process of the system
    cpu_ms_per_message: float = math.nan
    levels: dict[int, LevelResult] = field(default_factory=dict)
    outside_cpu: dict[int, float] = field(default_factory=dict)  # cores other processes used, per level
    note: str = ""

    @property
    def errors(self) -> int:
        return sum(level.errors for level in self.levels.values())

    @property
    def best_throughput(self) -> float:
        return max((level.throughput for level in self.levels.values()), default=math.nan)


# --- environment ---------------------------------------------------------------------------------

def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUR_ENV_VARS}
    env.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONWARNINGS="ignore::DeprecationWarning", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    env.update(extra)
    return env


def rasa_servers_supported() -> bool:
    """Whether `python -m bot run` can start several Rasa servers (RASA_SERVERS)."""
    text = (ROOT / "bot" / "runtime.py").read_text() + (ROOT / "bot" / "cli.py").read_text()
    return "RASA_SERVERS" in text


def stores_available() -> Optional[str]:
    """None when PostgreSQL and Redis answer on 127.0.0.1, else why not."""
    try:
        import psycopg2

        psycopg2.connect(dbname="postgres", connect_timeout=5, **PG).close()
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL not reachable at {PG['host']}:{PG['port']} ({exc.__class__.__name__})"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis not reachable at {REDIS_URL} ({exc.__class__.__name__})"
    return None


def pg_admin(sql: str, params: tuple = ()) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
    finally:
        conn.close()


# --- start to ready, memory, load ----------------------------------------------------------------

@dataclass
class Probe:
    name: str
    health_url: str
    message_url: Optional[str]  # one chat message must be answered here too


async def wait_ready(child: Child, probes: list[Probe], timeout: float,
                     logs: Callable[[], str]) -> dict[str, float]:
    """Seconds from the process start until each probe is healthy (and has answered a message)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        async def one(probe: Probe) -> float:
            def check() -> None:
                if not child.alive():
                    raise Failed(f"{child.name} exited with code {child.proc.returncode} before "
                                 f"{probe.name} was ready.\n{logs()}")
                if time.monotonic() - child.started_at > timeout:
                    raise Failed(f"{probe.name} not ready {timeout:.0f} s after starting {child.name}.\n{logs()}")

            while True:
                check()
                try:
                    async with session.get(probe.health_url, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                        if resp.status == 200:
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                    pass
                await asyncio.sleep(0.1)
            if probe.message_url:
                sender = f"ready-{secrets.token_hex(4)}"
                while True:
                    check()
                    try:
                        async with session.post(probe.message_url,
                                                json={"sender": sender, "message": READY_MESSAGE}) as resp:
                            if failure(resp.status, await resp.read()) is None:
                                break
                    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
                        pass
                    await asyncio.sleep(0.2)
            return time.monotonic() - child.started_at

        times = await asyncio.gather(*(one(p) for p in probes))
    return dict(zip((p.name for p in probes), times))


async def wait_quiet(system: list[int], args: argparse.Namespace) -> None:
    """Before a level: wait (at most --quiet-wait s) until other processes use under --quiet-cpu cores."""
    deadline = time.monotonic() + args.quiet_wait
    while True:
        outside = OutsideCpu(system)
        outside.start()
        await asyncio.sleep(2)
        used = outside.stop()
        if used < args.quiet_cpu:
            return
        if time.monotonic() >= deadline:
            print(f"   the machine is still busy (other processes use {used:.2f} cores); measuring anyway",
                  flush=True)
            return


def find_rasa_servers(root_pid: int, ports: list[int]) -> list[int]:
    """The pid of the `rasa run --port P` process for each port, under root_pid."""
    pids = []
    for port in ports:
        for pid in tree(root_pid):
            argv = cmdline(pid)
            if "run" in argv and "--port" in argv and str(port) in argv and any(a.endswith("rasa") or a == "bot.rasa_server" for a in argv):
                pids.append(pid)
                break
        else:
            raise Failed(f"no `rasa run --port {port}` process found under pid {root_pid}")
    return pids


def measure(result: SystemResult, child: Child, probes: list[Probe], server_names: list[str],
            server_ports: list[int], load_url: str, conversation: list[str], args: argparse.Namespace,
            logs: Callable[[], str]) -> None:
    """Start `child`, wait until ready, warm up, run the load levels, stop it."""
    print(f"\n== {result.label}: starting", flush=True)
    child.start()
    try:
        ready = asyncio.run(wait_ready(child, probes, args.start_timeout, logs))
        result.server_ready_s = [ready[name] for name in server_names]
        result.ready_s = max(ready.values())
        print(f"   ready in {result.ready_s:.1f} s (Rasa server(s): "
              f"{', '.join(f'{s:.1f} s' for s in result.server_ready_s)})", flush=True)
        servers = find_rasa_servers(child.pid, server_ports)
        server_trees = [tree(pid) for pid in servers]
        asyncio.run(run_level(load_url, conversation, max(1, min(8, max(args.levels))), args.warmup,
                              tag="warmup"))
        result.rss_warm = [rss_mib(t) for t in server_trees]
        result.rss_peak = list(result.rss_warm)
        system = tree(child.pid)
        cpu_before = cpu_seconds(system)

        async def load() -> None:
            stop = asyncio.Event()

            async def sample() -> None:
                while not stop.is_set():
                    result.rss_peak = [max(a, rss_mib(t)) for a, t in zip(result.rss_peak, server_trees)]
                    try:
                        await asyncio.wait_for(stop.wait(), 1.0)
                    except asyncio.TimeoutError:
                        pass

            sampler = asyncio.create_task(sample())
            for users in args.levels:
                await wait_quiet(system, args)
                outside = OutsideCpu(system)
                outside.start()
                level = await run_level(load_url, conversation, users, args.duration,
                                        tag=f"{users}u")
                result.outside_cpu[users] = outside.stop()
                result.levels[users] = level
                print(f"   {users:>2} users: p50 {level.p50:7.1f} ms  p95 {level.p95:7.1f} ms  "
                      f"{level.throughput:6.1f} msg/s  {level.messages} answered, {level.errors} failed; "
                      f"other processes used {result.outside_cpu[users]:.2f} cores",
                      flush=True)
                for sample_text in level.error_samples[:2]:
                    print(f"      failed: {sample_text}", flush=True)
                await asyncio.sleep(1)
            stop.set()
            await sampler

        asyncio.run(load())
        answered = sum(level.messages for level in result.levels.values())
        result.cpu_ms_per_message = (cpu_seconds(system) - cpu_before) * 1000 / answered if answered else math.nan
        result.rss_after = [rss_mib(t) for t in server_trees]
        result.rss_peak = [max(a, b) for a, b in zip(result.rss_peak, result.rss_after)]
        result.rss_total_after = rss_mib(tree(child.pid))
        print(f"   memory per Rasa server: {', '.join(f'{m:.0f}' for m in result.rss_peak)} MiB at peak; "
              f"whole system {result.rss_total_after:.0f} MiB after load", flush=True)
    finally:
        child.stop()


# --- the two systems -----------------------------------------------------------------------------

def train_stock(tmp: Path, args: argparse.Namespace) -> tuple[Path, float]:
    project = tmp / "stock"
    project.mkdir()
    print("== stock: rasa init --no-prompt (copies the example project, trains it with an empty cache)",
          flush=True)
    seconds = run_timed([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)], tmp,
                        child_env(RASA_CACHE_DIRECTORY=str(tmp / "stock-cache")), tmp / "stock-train.log",
                        timeout=args.train_timeout)
    if not list((project / "models").glob("*.tar.gz")):
        raise Failed(f"`rasa init` trained no model; see {tmp / 'stock-train.log'}")
    print(f"   trained in {seconds:.1f} s", flush=True)
    return project, seconds


def run_stock(project: Path, tmp: Path, args: argparse.Namespace) -> SystemResult:
    port = free_ports()
    base = f"http://127.0.0.1:{port}"
    child = Child("stock rasa run", [str(BIN / "rasa"), "run", "--enable-api", "--port", str(port),
                                     "--interface", "127.0.0.1"],
                  project, child_env(), tmp / "stock-run.log")
    result = SystemResult("stock")
    measure(result, child, [Probe("rasa", f"{base}/", base + REST)], ["rasa"], [port], base + REST,
            STOCK_CONVERSATION, args, lambda: f"log {child.log_path}:\n{child.log_tail()}")
    return result


def train_ours(tmp: Path, args: argparse.Namespace) -> float:
    print("\n== ours: rasa train (empty cache, into a temporary folder)", flush=True)
    seconds = run_timed([str(BIN / "rasa"), "train", "--out", str(tmp / "ours-models"),
                         "--fixed-model-name", "bench"], ROOT,
                        child_env(RASA_CACHE_DIRECTORY=str(tmp / "ours-cache"),
                                  PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")),
                        tmp / "ours-train.log", timeout=args.train_timeout)
    print(f"   trained in {seconds:.1f} s", flush=True)
    return seconds


def run_ours(servers: int, tmp: Path, args: argparse.Namespace) -> SystemResult:
    var = tmp / f"ours-{servers}"
    var.mkdir()
    directory_db = f"sqlite:///{var / 'directory.db'}"
    env = child_env(CARE_VAR_DIR=str(var), DIRECTORY_DB_URL=directory_db,
                    PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    run_timed([str(BIN / "python"), "-m", "bot", "directory", "load"], ROOT, env, var / "directory-load.log",
              timeout=300)
    rasa_port, action_port, web_port = free_ports(servers), free_ports(), free_ports()
    ports = [rasa_port + i for i in range(servers)]
    env.update(RASA_PORT=str(rasa_port), ACTION_PORT=str(action_port), WEB_PORT=str(web_port))
    label = "ours, 1 server" if servers == 1 else f"ours, {servers} servers"
    result = SystemResult(label)
    db_name = key_prefix = None
    if servers > 1:
        suffix = secrets.token_hex(4)
        db_name, key_prefix = f"care_bench_{suffix}", f"carebench{suffix}"
        pg_admin(f'CREATE DATABASE "{db_name}"')
        env.update(RASA_SERVERS=str(servers),
                   TRACKER_STORE_URL=f"postgresql://{PG['user']}@{PG['host']}:{PG['port']}/{db_name}",
                   LOCK_STORE_URL=f"{REDIS_URL}?key_prefix={key_prefix}")
        result.note = "PostgreSQL tracker store, Redis lock store"
    else:
        result.note = "SQLite tracker store, in-memory lock store (the defaults)"
    child = Child(f"python -m bot run ({label})", [str(BIN / "python"), "-m", "bot", "run"], ROOT, env,
                  var / "run.log")

    def logs() -> str:
        parts = [f"log {child.log_path}:\n{child.log_tail(15)}"]
        for log in sorted((var / "logs").glob("*.log")):
            parts.append(f"log {log}:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        return "\n".join(parts)

    web = f"http://127.0.0.1:{web_port}"
    probes = [Probe(f"rasa:{p}", f"http://127.0.0.1:{p}/", f"http://127.0.0.1:{p}{REST}") for p in ports]
    probes += [Probe("actions", f"http://127.0.0.1:{action_port}/health", None),
               Probe("web", f"{web}/healthz", web + REST)]
    try:
        measure(result, child, probes, [f"rasa:{p}" for p in ports], ports, web + REST, OUR_CONVERSATION,
                args, logs)
    finally:
        if db_name:
            try:
                pg_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db_name,))
                pg_admin(f'DROP DATABASE IF EXISTS "{db_name}"')
            except Exception as exc:  # noqa: BLE001
                print(f"warning: could not drop the database {db_name}: {exc}", file=sys.stderr)
            try:
                import redis

                red = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
                for key in red.scan_iter(f"{key_prefix}:*"):
                    red.delete(key)
            except Exception as exc:  # noqa: BLE001
                print(f"warning: could not remove the Redis keys {key_prefix}:*: {exc}", file=sys.stderr)
    return result


def model_note() -> str:
    model = ROOT / "models" / "current.tar.gz"
    if not model.exists():
        raise Failed("models/current.tar.gz is missing: `make train` first (`python -m bot run` serves it)")
    inputs = [ROOT / "config.yml", ROOT / "domain.yml", *(ROOT / "data").rglob("*.yml")]
    newer = [p.relative_to(ROOT) for p in inputs if p.stat().st_mtime > model.stat().st_mtime]
    when = dt.datetime.fromtimestamp(model.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    if newer:
        print(f"warning: models/current.tar.gz ({when}) is older than {', '.join(map(str, newer[:3]))}",
              file=sys.stderr)
        return f"models/current.tar.gz, trained {when} (older than {', '.join(map(str, newer[:3]))})"
    return f"models/current.tar.gz, trained {when} from the current config.yml, domain.yml and data/"


# --- the report ----------------------------------------------------------------------------------

def report(stock: SystemResult, ours: list[SystemResult], train: dict[str, float], args: argparse.Namespace,
           context: dict[str, str]) -> tuple[list[str], list[str]]:
    """(lines for RESULTS.md, targets not met)."""
    header = ["metric", "stock"]
    for result in ours:
        header += [result.label, "ratio"]
    header += ["target"] + [f"met ({r.label.split(', ')[1]})" for r in ours]
    rows = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    not_met: list[str] = []

    def row(metric: str, get: Callable[[SystemResult], Optional[float]], digits: int = 1, target: str = "—",
            met: Optional[Callable[[float, float], bool]] = None, stock_value: Optional[float] = None) -> None:
        s = get(stock) if stock_value is None else stock_value
        cells = [metric, fmt(s, digits)]
        verdicts = []
        for result in ours:
            o = get(result)
            cells += [fmt(o, digits), fmt_ratio(ratio(o, s))]
            ok = None
            if met is not None and o is not None and not math.isnan(o):
                ok = met(o, s)
                if not ok:
                    not_met.append(f"{metric} ({result.label}): {fmt(o, digits)} against {target}"
                                   f" (stock {fmt(s, digits)})")
            verdicts.append("—" if met is None else yes_no(ok))
        rows.append(f"| {' | '.join(cells + [target] + verdicts)} |")

    row("training time, empty cache (s)", lambda r: train.get(r.label.split(",")[0]), digits=0)
    row("start to ready, whole system (s)", lambda r: r.ready_s, target=f"≤ {TARGET_READY_S:.0f} s",
        met=lambda o, s: o <= TARGET_READY_S)
    row("start to ready, slowest Rasa server (s)", lambda r: max(r.server_ready_s))
    row("memory per Rasa server after warm-up (MiB)", lambda r: max(r.rss_warm), digits=0)
    row("memory per Rasa server, peak under load (MiB)", lambda r: max(r.rss_peak), digits=0,
        target=f"≤ {TARGET_RSS_MIB:.0f} MiB", met=lambda o, s: o <= TARGET_RSS_MIB)
    row("memory, all processes after load (MiB)", lambda r: r.rss_total_after, digits=0)
    for users in args.levels:
        row(f"p50 latency, {users} user{'s' if users > 1 else ''} (ms)",
            lambda r, u=users: r.levels[u].p50 if u in r.levels else None,
            target="≤ stock", met=lambda o, s: o <= s)
        row(f"p95 latency, {users} user{'s' if users > 1 else ''} (ms)",
            lambda r, u=users: r.levels[u].p95 if u in r.levels else None)
    for users in args.levels:
        row(f"throughput, {users} user{'s' if users > 1 else ''} (messages/s)",
            lambda r, u=users: r.levels[u].throughput if u in r.levels else None)
    row("throughput, best level (messages/s)", lambda r: r.best_throughput,
        target=f"≥ {TARGET_THROUGHPUT_RATIO:.0f}× stock", met=lambda o, s: o >= TARGET_THROUGHPUT_RATIO * s)
    row("CPU time per message, all processes (ms)", lambda r: r.cpu_ms_per_message)
    row("failed messages (all levels)", lambda r: float(r.errors), digits=0, target="0", met=lambda o, s: o == 0)

    def per_message(result: SystemResult, conversation: list[str]) -> str:
        level = result.levels.get(min(args.levels))
        if not level:
            return "n/a"
        return "; ".join(f"“{text}” {fmt(percentile(level.by_message.get(i, []), 0.5))}"
                         for i, text in enumerate(conversation))

    levels = ", ".join(str(u) for u in args.levels)
    lines = [
        "## Against the stock Rasa 3.6 example bot (`rasa init`)",
        "",
        f"Command: `{context['command']}`; run on {context['date']} (took {context['took']}). "
        f"Machine: {context['machine']}.",
        f"Both systems ran one after the other in this one command, on the same machine; the load generator "
        f"(asyncio + aiohttp, closed loop: each user sends its next message when the answer comes, no think "
        f"time, a new sender id per conversation) shared its cores. {levels} concurrent users, "
        f"{args.duration:g} s each, after a {args.warmup:g} s warm-up; before each level it waits up to "
        f"{args.quiet_wait:g} s for other processes to use under {args.quiet_cpu:g} cores. Start to ready: "
        f"from the process start until every Rasa server answers `GET /` and one chat message (ours: also the action server's "
        f"`/health` and a message through the web page server). Memory: resident set (VmRSS) of the Rasa "
        f"server's process tree, from /proc; \"all processes\" adds ours' action server, web page server "
        f"and supervisor. Training: stock is `rasa init --no-prompt` (copies the example project, then "
        f"trains it), ours `rasa train --out <temp>`, both with an empty `RASA_CACHE_DIRECTORY`.",
        "",
        f"- **stock**: the `rasa init` project (default pipeline: DIET, ResponseSelector, TED; in-memory "
        f"tracker store), `rasa run --enable-api`, messages straight to its REST channel: "
        f"{' / '.join(f'“{t}”' for t in STOCK_CONVERSATION)}.",
        f"- **ours**: `python -m bot run` as `make run` starts it ({context['model']}; the directory "
        f"loaded from services_directory/ into a temporary SQLite file), messages through the web page "
        f"server as residents' are: {' / '.join(f'“{t}”' for t in OUR_CONVERSATION)}. "
        + " ".join(f"{r.label}: {r.note}." for r in ours)
        + (f" {context['two_servers_skipped']}" if context.get("two_servers_skipped") else ""),
        "- **while doing more**: every one of our messages also passes the spaCy red-flag detector "
        "(`bot.triage.component.RedFlagDetector`, in the NLU pipeline); the triage and place messages "
        "run a custom action on the action server, which applies the triage rules and queries the "
        "services directory (`resolve_place` and `find_services` with opening times); conversations are "
        "written to a tracker store on disk (stock keeps them in memory); and each message takes one more "
        "HTTP hop, through the web page server.",
        "",
        *rows,
        "",
        f"Per message, p50 at {min(args.levels)} user (ms): stock {per_message(stock, STOCK_CONVERSATION)}.",
        *(f"{r.label}: {per_message(r, OUR_CONVERSATION)}." for r in ours),
        "",
        "How quiet the machine was: CPU used by processes other than the system under test and the load "
        f"generator, in cores (of {os.cpu_count()}), during each level: "
        + "; ".join(f"{r.label} " + ", ".join(f"{u} users {r.outside_cpu[u]:.2f}" for u in r.outside_cpu)
                    for r in [stock, *ours]) + ".",
        "",
        ("Targets not met: " + "; ".join(not_met) + ".") if not_met else "All targets met.",
    ]
    return lines, not_met


# --- main ----------------------------------------------------------------------------------------

def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per level (default 20)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up before the levels (default 5)")
    parser.add_argument("--levels", default="1,8,32", help="concurrent users per level (default 1,8,32)")
    parser.add_argument("--servers", default=None,
                        help="our Rasa server counts to measure (default 1,2 when RASA_SERVERS is supported)")
    parser.add_argument("--quiet-wait", type=float, default=30,
                        help="before each level, wait up to this many seconds for other processes to go quiet "
                             "(default 30)")
    parser.add_argument("--quiet-cpu", type=float, default=0.25,
                        help="quiet: other processes use fewer cores than this (default 0.25)")
    parser.add_argument("--start-timeout", type=float, default=300, help="seconds to wait for ready")
    parser.add_argument("--train-timeout", type=float, default=900, help="seconds to wait for a training")
    parser.add_argument("--no-write", action="store_true", help="do not update benchmarks/RESULTS.md")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary folder (logs, models)")
    args = parser.parse_args(argv)
    try:
        args.levels = [int(u) for u in args.levels.split(",") if u.strip()]
        args.servers = ([int(s) for s in args.servers.split(",") if s.strip()] if args.servers
                        else ([1, 2] if rasa_servers_supported() else [1]))
    except ValueError:
        parser.error("--levels and --servers are comma-separated whole numbers")
    if not args.levels or min(args.levels) < 1 or not args.servers or min(args.servers) < 1:
        parser.error("--levels and --servers need whole numbers of 1 or more")
    if max(args.servers) > 1 and not rasa_servers_supported():
        parser.error("this checkout's `python -m bot run` has no RASA_SERVERS: only --servers 1")
    return args


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    began, started_at = time.monotonic(), dt.datetime.now()
    info = machine()
    context = {
        "command": " ".join(["benchmarks/run", *map(shlex.quote, sys.argv[1:] if argv is None else argv)]),
        "date": started_at.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{info['cores']} cores (os.cpu_count()), {info['cpu']}, {info['memory']}, "
                   f"Python {info['python']}, Rasa 3.6.21",
    }
    context["model"] = model_note()
    if len(args.servers) == 1 and args.servers == [1] and not rasa_servers_supported():
        context["two_servers_skipped"] = ("Only 1 server measured: this checkout's `python -m bot run` "
                                          "cannot start several Rasa servers.")
    if max(args.servers) > 1:
        problem = stores_available()
        if problem:
            context["two_servers_skipped"] = f"Several servers not measured: {problem}."
            args.servers = [s for s in args.servers if s == 1] or [1]
            print(f"warning: {context['two_servers_skipped']}", file=sys.stderr)
    print(f"Machine: {context['machine']}; load average now {os.getloadavg()[0]:.2f}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="care-bench-"))
    try:
        project, stock_train = train_stock(tmp, args)
        stock = run_stock(project, tmp, args)
        ours_train = train_ours(tmp, args)
        ours = [run_ours(servers, tmp, args) for servers in args.servers]
    except Failed as exc:
        print(f"\nBenchmark failed: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"\nBenchmark failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nInterrupted; stopped every process it started.", file=sys.stderr)
        return 130
    finally:
        if args.keep_temp:
            print(f"Temporary files kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    took = time.monotonic() - began
    context["took"] = f"{int(took // 60)} min {int(took % 60)} s"
    lines, not_met = report(stock, ours, {"stock": stock_train, "ours": ours_train}, args, context)
    print()
    print("\n".join(lines))
    if not args.no_write:
        write_section("stock-comparison", lines)
        print(f"\nWritten to {ROOT / 'benchmarks' / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
