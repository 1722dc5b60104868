"""Compose signposting answers: urgency and why, up to 3 places, and safety-netting.

Plain English for a reading age of 9 to 11: short sentences, no diagnosis.
"""
from __future__ import annotations

from bot.answers import describe_service, label
from bot.directory.queries import SearchResult
from bot.triage.outcome import URGENCY_WORDS, Outcome

SAFETY_NET = ("If it gets worse, or you notice something new that worries you, call 111. "
              "In an emergency, call 999.")
# Where to turn, when nothing was said about symptoms: after a plain search ("pharmacy in Crewe"),
# and in the channels' apologies when something failed.
GET_HELP = "If you need medical help now, call 111. In an emergency, call 999."
NHS_111 = "Call 111 or go to 111.nhs.uk. For a child under 5, phone 111. It is free, day and night."


# Why another place is better than A&E for this outcome (issue 4, point 6; guidance 4 and 8):
# the right care and a shorter wait. Keyed by the recommended service.
AE_BETTER_PLACE = {
    "pharmacy": "A pharmacist is a better place than A&E for this. You do not need an appointment, you "
                "will be seen much sooner, and they can give you treatment.",
    "self_care": "You do not need A&E for this. You can look after it at home, and a pharmacist can help.",
    "gp_practice": "Your GP practice is a better place than A&E for this. They know your health history "
                   "and can follow it up. A&E is for serious injuries and emergencies, and the wait is long.",
    "urgent_treatment_centre": "An urgent treatment centre is the right place for this. It treats problems "
                               "like this, and the wait is usually much shorter than at A&E.",
    "minor_injuries_unit": "A minor injuries unit is the right place for this. It treats injuries like "
                           "this, and the wait is usually much shorter than at A&E.",
    "nhs_111": "111 is a better first step than A&E. They can tell you the right place, and book you in, "
               "so you may not need to wait at A&E.",
    "out_of_hours_gp": "An out-of-hours GP is a better place than A&E for this. 111 can book you in.",
    "urgent_dental": "A&E cannot usually treat teeth. A dentist can, and 111 can find you an urgent dental "
                     "appointment.",
    "dentist": "A&E cannot usually treat teeth. A dentist is the right place for this.",
    "mental_health_crisis": "The 111 mental health option puts you through to a mental health team, day "
                            "or night. They are the right people to help.",
    "talking_therapies": "You do not need A&E for this. Talking therapies and your GP practice are the "
                         "right places to help.",
    "mental_health": "A mental health service is the right place for this, not A&E.",
    "sexual_health": "A sexual health clinic is the right place for this, not A&E.",
}
AE_STILL_WORRIED = "If you are still worried, or it gets worse, you can always go to A&E or call 999."
AE_WHEN = ("A&E is for serious injuries and emergencies that could put a life at risk. If you are still "
           "worried, you can always go.")


def ae_steering(outcome: Outcome) -> str | None:
    """For a resident who asked about A&E: the better place and why. It never forbids A&E."""
    if outcome.urgency == "emergency" or outcome.service == "a_and_e":
        return None
    better = AE_BETTER_PLACE.get(outcome.service)
    return f"{better} {AE_STILL_WORRIED}" if better else AE_WHEN


def outcome_message(outcome: Outcome) -> str:
    parts = [URGENCY_WORDS[outcome.urgency], outcome.reason]
    if outcome.service == "nhs_111":
        parts.append(NHS_111)
    if outcome.note:
        parts.append(outcome.note)
    return " ".join(parts)


def places_message(result: SearchResult, service_type: str | tuple[str, ...], urgency: str | None,
                   when: str | None = None) -> str:
    """`when` is the time the resident asked about ("on Sunday"), when they named one."""
    service_type = service_type if isinstance(service_type, str) else service_type[0]
    if not result.found:
        return f"I could not find a {label(service_type)} near you in the directory. Call 111 for help."
    if when:
        intro = (f"Places near you open {when}:" if not result.widened
                 else f"There is nothing open {when} in your area, but these nearby places are:")
    else:
        intro = ("Places near you:" if not result.widened
                 else "There is nothing suitable in your area, but these are nearby:")
    lines = [intro, *(describe_service(s) for s in result.services)]
    if urgency == "urgent" and not any(s.open_now for s in result.services):
        lines.append("None of these is open right now. Call 111 for help now.")
    return "\n\n".join(lines)
