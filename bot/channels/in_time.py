"""Waiting for Rasa's answer for only so long, without cutting the turn short.

Both channels give the resident the 111/999 answer when the assistant is slow, while the turn
carries on in the background and is saved, so the conversation stays whole.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Awaitable

from bot.signposting import GET_HELP

logger = logging.getLogger(__name__)

# What the resident is told when the answer does not come in time.
SLOW_TEXT = f"Sorry, this is taking longer than usual. Please try again in a minute. {GET_HELP}"


async def handled_within(handling: Awaitable[None], timeout: float, channel: str) -> None:
    """Await `handling` up to `timeout` seconds (asyncio.TimeoutError after that; it goes on).

    The task copies the caller's context, so context variables set by the channel are shared.
    """
    task = asyncio.ensure_future(handling)
    task.add_done_callback(functools.partial(_log_late_failure, channel))
    await asyncio.wait_for(asyncio.shield(task), timeout)


def _log_late_failure(channel: str, task: asyncio.Future) -> None:
    """A failure after the channel stopped waiting: its answer was already sent, so only debug."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("%s: message handling failed", channel, exc_info=task.exception())
