"""Which Rasa server the web page server sends each chat message to: the next one in turn that is up.

A server that refused a connection or failed to answer is marked down, so that messages stop going
to it while it is dead or restarting (a restart takes a Rasa server tens of seconds: it reloads its
model). Every PROBE_EVERY seconds each server marked down is asked `GET /`, which Rasa answers once
its model is loaded; the first 200 puts it back in turn. When every server is marked down, all are
still tried, the ones marked down last, so a message is never refused on stale news.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import AsyncIterator, Sequence

from aiohttp import ClientError, ClientSession, ClientTimeout, web

log = logging.getLogger(__name__)
PROBE_EVERY = 2.0    # seconds between probes of a server marked down
PROBE_TIMEOUT = 2.0  # a probe that takes longer counts as "still down"


class RasaServers:
    """The Rasa servers' base URLs, whose turn is next, and which are down."""

    def __init__(self, urls: Sequence[str], probe_every: float = PROBE_EVERY) -> None:
        if not urls:
            raise ValueError("at least one Rasa server URL is needed")
        self.urls = [url.rstrip("/") for url in urls]
        self.probe_every = probe_every
        self.down: set[str] = set()
        self._turn = itertools.cycle(range(len(self.urls)))

    def in_order(self) -> list[str]:
        """The servers to try for the next message: from the next in turn, those up first."""
        first = next(self._turn)
        rotated = self.urls[first:] + self.urls[:first]
        return [url for url in rotated if url not in self.down] + [url for url in rotated if url in self.down]

    def mark_down(self, url: str, reason: str) -> None:
        if url not in self.down:
            self.down.add(url)
            log.warning("Rasa server %s is down (%s): messages go to the others until it answers again",
                        url, reason)

    def mark_up(self, url: str) -> None:
        if url in self.down:
            self.down.discard(url)
            log.info("Rasa server %s answers again: back in turn", url)

    async def probe(self, session: ClientSession) -> None:
        """Ask each server marked down whether it is back."""
        for url in sorted(self.down):
            try:
                async with session.get(url + "/") as resp:
                    if resp.status == 200:
                        self.mark_up(url)
            except (ClientError, asyncio.TimeoutError, OSError):
                pass  # still down

    async def probing(self, app: web.Application) -> AsyncIterator[None]:
        """aiohttp cleanup context: probe the servers marked down while the app runs."""
        async def probe_forever() -> None:
            async with ClientSession(timeout=ClientTimeout(total=PROBE_TIMEOUT)) as session:
                while True:
                    await asyncio.sleep(self.probe_every)
                    if self.down:
                        await self.probe(session)

        task = asyncio.create_task(probe_forever())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
