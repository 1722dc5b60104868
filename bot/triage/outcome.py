"""From what a resident said to an urgency, a place to go, and why (clinical guidance 3 to 8).

`decide` is a pure function of the findings, so every rule is unit-tested without Rasa. Under-
triage is the hazard that matters most: when in doubt it goes one level more urgent and says so.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.directory.opening_hours import gp_out_of_hours
from bot.triage.detector import Findings, Subject

PHARMACY_FIRST = ("sinusitis", "sore_throat", "earache", "insect_bite", "impetigo", "shingles", "uti")
URGENT_CARE_PROBLEMS = ("minor_injury", "stomach_pain", "vomiting", "rash")


@dataclass(frozen=True)
class Outcome:
    urgency: str  # emergency, urgent, routine, self_care
    service: str  # a directory service type, call_999 or self_care
    reason: str  # why, in plain words, for the resident
    condition: str | None = None
    offer: str | None = None  # an offered service the place must have (pharmacy_first)
    note: str | None = None  # one more thing the resident should know

    @property
    def needs_place(self) -> bool:
        """Local places are worth listing (999, 111 and crisis lines are not local)."""
        return self.service not in ("call_999", "self_care", "nhs_111", "mental_health_crisis")


def _pharmacy_first(condition: str, s: Subject, mods: frozenset[str]) -> str | None:
    """None if Pharmacy First fits; otherwise why not, in plain words (section 5)."""
    age = s.age
    if condition == "sinusitis" and age is not None and age < 12:
        return "Pharmacy First for sinusitis is for people aged 12 and over"
    if condition == "sore_throat" and age is not None and age < 5:
        return "Pharmacy First for a sore throat is for people aged 5 and over"
    if condition == "earache" and (age is None and s.age_group == "adult" or age is not None and not 1 <= age <= 17):
        return "Pharmacy First for earache is for children and young people aged 1 to 17"
    if condition in ("insect_bite", "impetigo") and (s.age_group == "baby" or age is not None and age < 1):
        return "Pharmacy First for this is for people aged 1 and over"
    if condition == "insect_bite" and "worse" in mods:
        return "a bite that is getting worse, or not better after 48 hours, needs a GP"
    if condition == "impetigo" and (mods & {"widespread", "recurrent", "generally_unwell"}):
        return "impetigo with more than 4 patches, that keeps coming back, or with feeling unwell needs a GP"
    if condition == "shingles":
        if age is not None and age < 18 or s.age_group in ("baby", "child"):
            return "Pharmacy First for shingles is for adults aged 18 and over"
        if "pregnant" in mods:
            return "shingles in pregnancy needs a GP"
        if "rash_old" in mods:
            return "a shingles rash that started more than 7 days ago needs a GP"
    if condition == "uti":
        if s.sex == "male":
            return "urine infections in men need a GP"
        if age is not None and not 16 <= age <= 64:
            return "Pharmacy First for urine infections is for women aged 16 to 64"
        if s.age_group in ("baby", "child") and age is None:
            return "urine infections in children need a GP"
        for mod, why in (("pregnant", "in pregnancy"), ("breastfeeding", "when breastfeeding"),
                         ("diabetes", "with diabetes"), ("recurrent", "that keep coming back")):
            if mod in mods:
                return f"urine infections {why} need a GP"
    return None


def _excluded_needs_today(condition: str, s: Subject, mods: frozenset[str]) -> bool:
    """Exclusions a cautious clinician sees the same day (urgent), not within days (routine):
    a decision recorded in docs/clinical-safety.md (H-07)."""
    if condition == "uti":
        return bool(s.sex == "male" or mods & {"pregnant", "breastfeeding", "diabetes"} or (s.age or 0) >= 65)
    if condition == "shingles":
        return "pregnant" in mods
    if condition == "impetigo":
        return "generally_unwell" in mods
    if condition == "insect_bite":
        return s.age_group == "baby" or (s.age is not None and s.age < 1) or "worse" in mods
    return False


DENTAL_CALL = "Call your dentist; if you do not have one or it is closed, call 111."
DENTAL_CLOSED_NOW = "Most dentists are closed now, so call 111. They can book you in to see a dentist."
GP_MAY_BE_CLOSED = "If your GP practice is closed, call 111."
GP_CLOSED_NOW = ("GP practices are closed now (evenings, weekends and bank holidays). Contact yours when it "
                 "opens. If you need help before then, call 111.")


def decide(findings: Findings, at: dt.datetime | None = None) -> Outcome | None:
    """The outcome for a message, or None when it describes no health problem at all.

    `at` is the moment of the message: in the GP out-of-hours period (6.30pm to 8am, weekends,
    bank holidays) 111 stands in for "your GP practice today". The resident's own words ("the
    surgery's shut", "tonight") count too. Without `at`, only the words count.
    """
    s, mods, found = findings.subject, findings.modifiers, findings.conditions
    clock_closed = at is not None and gp_out_of_hours(at)
    gp_closed = clock_closed or "out_of_hours" in mods
    gp_note = GP_CLOSED_NOW if clock_closed else GP_MAY_BE_CLOSED
    if findings.emergency:
        return Outcome("emergency", "call_999", "This could be a life-threatening emergency.", findings.flag)
    if "mental_health_crisis" in found:
        return Outcome("urgent", "mental_health_crisis",
                       "You deserve support now. Call 111 and choose the mental health option, any time, "
                       "day or night.", "mental_health_crisis",
                       note="If you might act on these thoughts or you are in danger now, call 999.")
    if "dental" in found and "sinusitis" not in found and ("severe" in mods or "long_standing" not in found):
        return Outcome("urgent", "urgent_dental",
                       "Bad toothache, swelling or a broken or knocked-out tooth needs dental help today. "
                       + (DENTAL_CLOSED_NOW if clock_closed else DENTAL_CALL), "dental",
                       note="A knocked-out adult tooth needs help within 1 hour: hold it by the top, "
                            "not the root, and keep it in milk.")
    physical = set(found) & {*URGENT_CARE_PROBLEMS, "high_temperature", "feeling_unwell"}
    if "minor_illness" in found:
        physical -= {"rash"}  # nappy rash
    if s.age_group == "baby" and physical and not set(found) & set(PHARMACY_FIRST):
        return Outcome("urgent", "nhs_111", "Babies can get ill quickly, so it is best to get advice today. "
                       "Call 111: for a child under 5, phone rather than use 111 online.", sorted(physical)[0])
    # Pharmacy First conditions first, then problems for an urgent treatment centre, then the rest.
    for condition in [c for c in found if c in PHARMACY_FIRST]:
        excluded = _pharmacy_first(condition, s, mods)
        if condition == "uti" and excluded is None and "high_temperature" in found:
            excluded = "a urine infection with a high temperature needs help today"
            return Outcome("urgent", "nhs_111", f"Get advice today: {excluded}.", condition)
        if excluded is None:
            return Outcome("self_care", "pharmacy",
                           "A pharmacist can check this and treat it if you need it. You do not need to "
                           "see a GP first. This is called Pharmacy First.", condition, offer="pharmacy_first")
        if _excluded_needs_today(condition, s, mods):
            if gp_closed:
                return Outcome("urgent", "nhs_111", f"Get help today: {excluded}, and GP practices are "
                               "closed now, so call 111.", condition)
            return Outcome("urgent", "gp_practice", f"Contact your GP practice today: {excluded}.", condition,
                           note=GP_MAY_BE_CLOSED)
        return Outcome("routine", "gp_practice", f"Contact your GP practice: {excluded}.", condition,
                       note=gp_note)
    if s.age is not None and s.age < 5 and set(found) & {"vomiting", "high_temperature"}:
        return Outcome("urgent", "nhs_111", "Young children can get ill quickly, so get advice today. For a "
                       "child under 5, phone 111.", "high_temperature" if "high_temperature" in found else "vomiting")
    for condition in found:
        if condition in URGENT_CARE_PROBLEMS:
            return Outcome("urgent", "urgent_treatment_centre",
                           "An urgent treatment centre can see you today without an appointment. It is the "
                           "right place for this, and usually much quicker than A&E.", condition)
    if "high_temperature" in found and not ("minor_illness" in found and not mods & {"worse", "severe"}):
        return Outcome("urgent", "nhs_111", "A high temperature that worries you needs advice today. NHS 111 "
                       "can tell you where to go, and book you in.", "high_temperature")
    if "dental_routine" in found:
        if mods & {"severe"}:
            return Outcome("urgent", "urgent_dental", "Swelling or a broken tooth needs dental help today. "
                           + (DENTAL_CLOSED_NOW if clock_closed else DENTAL_CALL), "dental")
        return Outcome("routine", "dentist", "A dentist can help with this.", "dental_routine")
    if "emergency_contraception" in found:
        return Outcome("urgent", "pharmacy", "Emergency contraception works best the sooner you take it. "
                       "Many pharmacies give it free.", "emergency_contraception", offer="emergency_contraception")
    if "minor_illness" in found:
        if "long_standing" in found:
            return Outcome("routine", "gp_practice", "This has gone on a while, so your GP practice should "
                           "check it.", "long_standing", note=GP_CLOSED_NOW if clock_closed else None)
        if "worse" in mods:
            return Outcome("urgent", "nhs_111", "As it is not getting better, get advice today. NHS 111 can "
                           "tell you where to go.", "minor_illness")
        return Outcome("self_care", "pharmacy", "This can usually be looked after at home. A pharmacist "
                       "can give advice and medicine.", "minor_illness")
    if "mental_health_low" in found:
        return Outcome("routine", "talking_therapies", "NHS Talking Therapies can help with feeling low, "
                       "anxious or stressed. You can refer yourself; your GP can help too.", "mental_health_low",
                       note="If you ever feel you might harm yourself, call 111 and choose the mental "
                            "health option, or 999 in an emergency.")
    if "sexual_health" in found:
        return Outcome("routine", "sexual_health", "A sexual health clinic can help. It is free and "
                       "confidential.", "sexual_health")
    if "contraception" in found:
        return Outcome("routine", "gp_practice", "Your GP practice can help with contraception; so can a "
                       "sexual health clinic.", "contraception")
    if "dental_routine" in found or "dental" in found:
        return Outcome("routine", "dentist", "A dentist can help with this.", "dental_routine")
    for condition in ("repeat_prescription", "register_gp", "long_standing"):
        if condition in found:
            return Outcome("routine", "gp_practice", "Your GP practice can help with this. It is not urgent, "
                           "but do not leave it.", condition,
                           note="If you have run out of a medicine you need today, a pharmacist may be able "
                                "to give an emergency supply." if condition == "repeat_prescription" else
                                GP_CLOSED_NOW if clock_closed else None)
    if "feeling_unwell" in found or "out_of_hours" in mods:
        return Outcome("urgent", "nhs_111", "I cannot tell from your message how serious this is, so it is "
                       "safest to get advice today. NHS 111 can tell you where to go, any time.", "unclear")
    return None


URGENCY_WORDS = {
    "emergency": "This is an emergency.",
    "urgent": "You should get help today.",
    "routine": "This is not urgent, but get it checked in the next few days.",
    "self_care": "You can probably look after this yourself, with advice.",
}
