"""Load on the REST channel: concurrent residents for a while; any error fails the run.

    .venv/bin/python benchmarks/load.py [--residents 50] [--duration 60] [--think 0.5 1.5]
                                        [--url URL] [--rasa-servers N] [--section NAME] [--no-write]

Each simulated resident (asyncio + aiohttp) has one short, realistic conversation after another
(a new sender id each time): a problem, then the town; a pharmacy in a town; a red flag; and so on,
waiting --think seconds (uniform) between messages, as a person reading the answer would.

Without --url it starts the stack itself: the action server and --rasa-servers Rasa servers on
free ports, with the directory in a temporary SQLite file and conversations in TRACKER_STORE_URL
(default: a temporary SQLite file) and LOCK_STORE_URL (needed for more than one server: the
messages then go through the web page server, which spreads them over the servers). With --url
(e.g. http://127.0.0.1:5005, or the web page server at :8000) it loads an assistant already running.

An error is: no HTTP 200, a connection error or a 60 s timeout, an empty answer, the "something
went wrong" answer (a failed custom action), or a red flag not answered "Call 999 now" first.
Prints messages sent, errors, latency p50/p95/p99/max and throughput, writes them into
benchmarks/RESULTS.md (section --section, default "load"), and exits 1 on any error.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import shlex
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.results import write_section  # noqa: E402
from benchmarks.stats import percentile  # noqa: E402

REST = "/webhooks/rest/webhook"
FAILED = "something went wrong"      # bot/channels/rest.py SORRY_TEXT: a custom action failed
EMERGENCY = "Call 999 now"
REQUEST_TIMEOUT = 60.0

# (message, the first answer must start "Call 999 now")
CONVERSATIONS: list[list[tuple[str, bool]]] = [
    [("hello", False), ("I've sprained my ankle", False), ("Northwich", False), ("thanks", False)],
    [("where is the nearest pharmacy in Crewe", False), ("is it open on Sunday?", False), ("bye", False)],
    [("I have a sore throat", False), ("Winsford", False), ("thank you", False)],
    [("I need a dentist", False), ("Macclesfield", False)],
    [("should I go to A&E with a cut finger", False), ("Nantwich", False)],
    [("my 3 year old has had a high temperature since last night", False), ("Congleton", False)],
    [("I've been feeling really low and anxious for weeks", False), ("Ellesmere Port", False)],
    [("are you a real person?", False), ("can I speak to someone", False)],
    [("what can you do?", False), ("find a GP practice near Frodsham", False), ("thanks, bye", False)],
    [("my dad has crushing chest pain and he's sweating", True)],
]


@dataclass
class LoadResult:
    residents: int
    duration: float
    elapsed: float = 0.0
    messages: int = 0
    conversations: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def error(self, kind: str, text: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, text)

    def percentile(self, p: int) -> float:
        return percentile(self.latencies, p / 100) if self.latencies else 0.0

    @property
    def throughput(self) -> float:
        return self.messages / self.elapsed if self.elapsed else 0.0

    def summary(self) -> str:
        return (f"{self.residents} residents for {self.duration:.0f} s: {self.messages} messages in "
                f"{self.conversations} conversations, {sum(self.errors.values())} errors, "
                f"{self.throughput:.1f} messages/s, latency p50 {self.percentile(50) * 1000:.0f} ms, "
                f"p95 {self.percentile(95) * 1000:.0f} ms, p99 {self.percentile(99) * 1000:.0f} ms, "
                f"max {max(self.latencies, default=0) * 1000:.0f} ms")


def problem(status: int, messages: object, emergency: bool) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(messages, list) or not messages:
        return "empty answer"
    text = "\n".join(str(m.get("text", "")) for m in messages if isinstance(m, dict))
    if FAILED in text:
        return "a custom action failed (111/999 fallback)"
    if emergency and not str(messages[0].get("text", "")).startswith(EMERGENCY):
        return "red flag not answered 'Call 999 now' first"
    return None


async def resident(number: int, session: aiohttp.ClientSession, url: str, deadline: float,
                   think: tuple[float, float], result: LoadResult, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, think[1]))  # residents do not all arrive in the same instant
    while time.monotonic() < deadline:
        sender = f"load-{number}-{uuid.uuid4().hex[:12]}"
        conversation = rng.choice(CONVERSATIONS)
        for i, (text, emergency) in enumerate(conversation):
            if i and time.monotonic() >= deadline:
                return
            start = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": text}) as resp:
                    status = resp.status
                    messages = await resp.json(content_type=None) if status == 200 else None
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                result.latencies.append(time.perf_counter() - start)
                result.messages += 1
                result.error(exc.__class__.__name__, text)
                break  # this conversation is lost; start another
            result.latencies.append(time.perf_counter() - start)
            result.messages += 1
            kind = problem(status, messages, emergency)
            if kind:
                result.error(kind, text)
            await asyncio.sleep(rng.uniform(*think))
        else:
            result.conversations += 1


async def run_load(url: str, residents: int = 50, duration: float = 60.0,
                   think: tuple[float, float] = (0.5, 1.5), seed: int = 42) -> LoadResult:
    """`residents` concurrent conversations against the REST webhook at `url` for `duration` s."""
    result = LoadResult(residents, duration)
    rng = random.Random(seed)
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=2.0)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.monotonic()
        deadline = start + duration
        await asyncio.gather(*(resident(n, session, url, deadline, think, result,
                                        random.Random(rng.random())) for n in range(residents)))
        result.elapsed = time.monotonic() - start
    return result


def start_stack(work: Path, rasa_servers: int) -> tuple[str, list, str]:
    """Start the action server, Rasa server(s) and, for several, the web page server. Returns
    (webhook URL, processes, a description of the stores)."""
    from bot import runtime
    from bot.directory.db import engine_for
    from bot.directory.loader import load
    from bot.paths import SERVICES_DIRECTORY

    directory_url = f"sqlite:///{work / 'directory.db'}"
    load(SERVICES_DIRECTORY, engine_for(directory_url))
    tracker_url = os.environ.get(runtime.TRACKER_STORE_URL_ENV) or f"sqlite:///{work / 'tracker.db'}"
    tracker = runtime.tracker_store_config(tracker_url)
    lock = runtime.lock_store_config(os.environ.get(runtime.LOCK_STORE_URL_ENV) or None)
    if rasa_servers > 1 and not lock:
        sys.exit(f"--rasa-servers {rasa_servers} needs {runtime.LOCK_STORE_URL_ENV} (redis://…)")
    env = runtime.base_env(CARE_VAR_DIR=str(work), DIRECTORY_DB_URL=directory_url)
    action_port = runtime.free_port()
    endpoints = runtime.write_endpoints(work / "endpoints.yml", action_port, tracker, lock)
    rasa_ports = [runtime.free_port() for _ in range(rasa_servers)]
    procs = [runtime.action_server(action_port, env, work / "logs"),
             *(runtime.rasa_server(port, endpoints, env, work / "logs", name=f"Rasa server {port}",
                                   log_name=f"rasa-{port}.log") for port in rasa_ports)]
    url = f"http://127.0.0.1:{rasa_ports[0]}"
    if rasa_servers > 1:
        web_port = runtime.free_port()
        procs.append(runtime.web_server(web_port, rasa_ports[0], env, work / "logs",
                                        more_rasa_ports=rasa_ports[1:]))
        url = f"http://127.0.0.1:{web_port}"
    for proc in procs:
        proc.start()
    try:
        for proc in procs:
            proc.wait_healthy(600)
    except BaseException:
        for proc in reversed(procs):
            proc.stop()
        raise
    stores = f"tracker store {tracker['dialect']}, lock store {'redis' if lock else 'in memory'}"
    return url, procs, stores


def _model_description() -> str:
    try:
        from bot.runtime import latest_model

        path = latest_model()
        built = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        return f"the model {path.relative_to(path.parent.parent)} built {built}"
    except (FileNotFoundError, ValueError):
        return "the running model"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 1.5), metavar=("MIN", "MAX"),
                        help="seconds a resident waits between messages (default 0.5 1.5)")
    parser.add_argument("--url", help="an assistant already running (its REST channel or web page server)")
    parser.add_argument("--rasa-servers", type=int, default=1,
                        help="Rasa servers to start when there is no --url (more than 1 needs LOCK_STORE_URL)")
    parser.add_argument("--section", default="load", help="the RESULTS.md section to write (default load)")
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/RESULTS.md")
    args = parser.parse_args()

    procs: list = []
    work = Path(tempfile.mkdtemp(prefix="care-load-"))
    try:
        if args.url:
            base, setup = args.url.rstrip("/"), f"the assistant at {args.url}"
            short = "a running assistant"
        else:
            print(f"Starting the action server and {args.rasa_servers} Rasa server(s) (logs in {work}/logs)...",
                  flush=True)
            base, procs, stores = start_stack(work, args.rasa_servers)
            short = (f"{args.rasa_servers} Rasa server{'s' if args.rasa_servers > 1 else ''}, "
                     + stores.replace("tracker store ", "").replace(", lock store ", " + ").replace("in memory", "in-memory locks"))
            setup = (f"{args.rasa_servers} Rasa server(s)"
                     + (" behind the web page server" if args.rasa_servers > 1 else "")
                     + f" and 1 action server started by the benchmark; {stores}")
        url = base + REST
        model = _model_description()
        load_before = os.getloadavg()[0]
        print(f"{args.residents} residents for {args.duration:.0f} s against {url}...", flush=True)
        result = asyncio.run(run_load(url, args.residents, args.duration, tuple(args.think)))
    finally:
        for proc in reversed(procs):
            proc.stop()
    print(result.summary())
    if result.errors:
        print(f"Logs kept in {work}/logs")
    else:
        shutil.rmtree(work, ignore_errors=True)
    for kind, count in result.errors.most_common():
        print(f"  error: {kind} x{count} (e.g. after {result.examples[kind]!r})")
    if not args.no_write:
        env = " ".join(f"{k}={shlex.quote(os.environ[k])}" for k in ("TRACKER_STORE_URL", "LOCK_STORE_URL")
                       if os.environ.get(k) and not args.url)
        command = f"{env} .venv/bin/python benchmarks/load.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        errors = sum(result.errors.values())
        lines = [
            f"## Load on the REST channel: {args.residents} residents, {args.duration:.0f} s, {short}",
            "",
            f"Command: `{command.strip()}`; run on {dt.date.today().isoformat()} with {model}. {setup}. "
            f"Each resident has "
            f"short conversations one after another (a problem then the town, a pharmacy in a town, a red "
            f"flag...), {args.think[0]:g} to {args.think[1]:g} s between messages. The machine's load "
            f"average was {load_before:.1f} when it started (2 cores, shared with other work).",
            "",
            "| messages | conversations | errors | throughput | p50 | p95 | p99 | max |",
            "|---|---|---|---|---|---|---|---|",
            f"| {result.messages} | {result.conversations} | {errors} | {result.throughput:.1f} msg/s | "
            f"{result.percentile(50) * 1000:.0f} ms | {result.percentile(95) * 1000:.0f} ms | "
            f"{result.percentile(99) * 1000:.0f} ms | {max(result.latencies, default=0) * 1000:.0f} ms |",
        ]
        if errors:
            lines += ["", "Errors: " + "; ".join(f"{k} x{v}" for k, v in result.errors.most_common())]
        write_section(args.section, lines)
    sys.exit(1 if result.errors else 0)


if __name__ == "__main__":
    main()
