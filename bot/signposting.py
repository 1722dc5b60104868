"""Compose signposting answers: urgency and why, up to 3 places, and safety-netting.

Plain English for a reading age of 9 to 11: short sentences, no diagnosis.
"""
from __future__ import annotations

from bot.answers import describe_service, label
from bot.directory.queries import SearchResult
from bot.triage.outcome import URGENCY_WORDS, Outcome

SAFETY_NET = ("If it gets worse, or you notice something new that worries you, call 111. "
              "In an emergency, call 999.")
NHS_111 = "Call 111 or go to 111.nhs.uk. For a child under 5, phone 111. It is free, day and night."


def outcome_message(outcome: Outcome) -> str:
    parts = [URGENCY_WORDS[outcome.urgency], outcome.reason]
    if outcome.service == "nhs_111":
        parts.append(NHS_111)
    if outcome.note:
        parts.append(outcome.note)
    return " ".join(parts)


def places_message(result: SearchResult, service_type: str | tuple[str, ...], urgency: str | None) -> str:
    service_type = service_type if isinstance(service_type, str) else service_type[0]
    if not result.found:
        return f"I could not find a {label(service_type)} near you in the directory. Call 111 for help."
    intro = "Places near you:" if not result.widened else "There is nothing suitable in your area, but these are nearby:"
    lines = [intro, *(describe_service(s) for s in result.services)]
    if urgency == "urgent" and not any(s.open_now for s in result.services):
        lines.append("None of these is open right now. Call 111 for help now.")
    return "\n\n".join(lines)
