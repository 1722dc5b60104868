"""Turn directory results into short plain-English messages residents can act on."""
from __future__ import annotations

from bot.directory.queries import PlaceMatch, ServiceInfo

LABELS = {
    "gp_practice": "GP practice", "pharmacy": "pharmacy", "urgent_treatment_centre": "urgent treatment centre",
    "minor_injuries_unit": "minor injuries unit", "a_and_e": "A&E", "out_of_hours_gp": "out-of-hours GP",
    "nhs_111": "NHS 111", "emergency_999": "999", "dentist": "dentist", "urgent_dental": "urgent dental service",
    "mental_health_crisis": "mental health crisis line", "mental_health": "mental health service",
    "talking_therapies": "talking therapies service", "sexual_health": "sexual health clinic",
    "community_group": "community group", "social_prescribing": "social prescribing service",
    "carers_support": "carers' support service", "food_bank": "food bank",
}


def label(service_type: str) -> str:
    return LABELS.get(service_type, service_type.replace("_", " "))


def describe_service(info: ServiceInfo) -> str:
    """Name, address, phone and whether it is open, on separate short lines."""
    lines = [info.name]
    if info.address:
        lines.append(f"{info.address}, {info.postcode}" if info.postcode and info.postcode not in info.address
                     else info.address)
    voice = [p for p in info.phones if p.type == "voice"]
    if voice:
        lines.append(f"Phone: {voice[0].number}")
    lines.append(info.status)
    return "\n".join(lines)


def ambiguous_message(match: PlaceMatch) -> str:
    options = "; or ".join(o.note or o.name for o in match.options)
    return f"There is more than one {match.place}. Which do you mean: {options}?"
