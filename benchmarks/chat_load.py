"""Closed-loop chat load over Rasa's REST channel, with asyncio and aiohttp.

Each simulated user holds short conversations one after another, for a fixed time: it sends the
conversation's messages in order, waiting for each answer (no think time), and starts a new
conversation (a new sender id) when one ends. Every answered message is one latency sample.
"""
from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass, field

import aiohttp

from benchmarks.stats import percentile

# Answers that mean the turn failed even with HTTP 200 (bot/channels/rest.py, bot/web/server.py).
FAILURE_TEXTS = ("something went wrong and I could not answer", "not available right now")


@dataclass
class LevelResult:
    users: int
    wall_s: float
    latencies_ms: list[float] = field(default_factory=list)
    by_message: dict[int, list[float]] = field(default_factory=dict)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 0.95)

    @property
    def throughput(self) -> float:
        """Answered messages per second of wall time."""
        return self.messages / self.wall_s if self.wall_s else 0.0


def failure(status: int, body: bytes) -> str | None:
    """Why this answer is a failure, or None when it is a real answer."""
    if status != 200:
        return f"HTTP {status}: {body[:120]!r}"
    try:
        messages = json.loads(body)
    except ValueError:
        return f"not JSON: {body[:120]!r}"
    if not isinstance(messages, list):
        return f"not a list of messages: {body[:120]!r}"
    for message in messages:
        text = str(message.get("text", "")) if isinstance(message, dict) else ""
        if any(marker in text for marker in FAILURE_TEXTS):
            return f"failure answer: {text[:120]!r}"
    return None


async def run_level(url: str, conversation: list[str], users: int, duration: float, tag: str,
                    timeout: float = 60) -> LevelResult:
    """`users` users talking to `url` for `duration` seconds; messages started before the end count."""
    run_id = secrets.token_hex(3)
    result = LevelResult(users=users, wall_s=0.0)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        started = time.perf_counter()
        deadline = started + duration

        async def user(number: int) -> None:
            conversation_number = 0
            while time.perf_counter() < deadline:
                sender = f"bench-{tag}-{run_id}-u{number}-c{conversation_number}"
                for index, text in enumerate(conversation):
                    if time.perf_counter() >= deadline:
                        return
                    t0 = time.perf_counter()
                    try:
                        async with session.post(url, json={"sender": sender, "message": text}) as resp:
                            body = await resp.read()
                            problem = failure(resp.status, body)
                    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                        problem = f"{exc.__class__.__name__}: {exc}"[:160]
                    elapsed_ms = (time.perf_counter() - t0) * 1000
                    if problem:
                        result.errors += 1
                        if len(result.error_samples) < 5:
                            result.error_samples.append(f"{text!r}: {problem}")
                        continue
                    result.latencies_ms.append(elapsed_ms)
                    result.by_message.setdefault(index, []).append(elapsed_ms)
                conversation_number += 1

        await asyncio.gather(*(user(n) for n in range(users)))
        result.wall_s = time.perf_counter() - started
    return result
