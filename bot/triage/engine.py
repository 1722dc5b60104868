"""The triage engine: findings in context → one disposition, or one question first.

It evaluates the reviewed tables (bot/triage/knowledge) the way NHS 111 does:
- every presenting complaint a present finding raises is assessed; its rules run in clinical
  order and the first that holds decides; across complaints the most urgent answer wins, then
  the population modifiers may raise it (a weak immune system with a fever);
- a finding can be present, denied, or not known. When a rule more urgent than the answer has
  findings that are not known, and the complaint has a question listing them, the engine asks it
  instead of answering: at most two questions, never when the answer is already 999 or A&E;
- an answer "none of these" denies the listed signs; "not sure" leaves them unknown and the
  answer is never below urgent while one cannot be excluded, and says so.
The engine is a pure function of its inputs, so every rule is tested without Rasa.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.triage.knowledge import RANK, Complaint, Condition, Knowledge, Range, Rule, knowledge
from bot.triage.reader import Reading, Subject

MAX_QUESTIONS = 2
NOT_SURE_REASON = ("You were not sure about some warning signs. To be safe, get help today, and call 999 "
                   "if any of them start.")


@dataclass(frozen=True)
class Facts:
    """What is known: findings present or denied, the subject and the numbers."""
    present: frozenset[str]
    absent: frozenset[str]
    subject: Subject = Subject()
    temperature: float | None = None
    duration_hours: float | None = None
    unsure: frozenset[str] = frozenset()  # signs the resident was asked about and was not sure of

    @classmethod
    def from_reading(cls, reading: Reading) -> "Facts":
        return cls(reading.present, reading.absent, reading.subject, reading.temperature, reading.duration_hours)


@dataclass(frozen=True)
class Disposition:
    urgency: str
    service: str
    reason: str
    source: str
    complaint: str
    offer: str | None = None
    red_flag: str | None = None


@dataclass(frozen=True)
class Ask:
    complaint: str
    text: str
    options: tuple[str, ...]  # finding ids, in the complaint's order
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    disposition: Disposition | None  # None: no presenting complaint recognised
    question: Ask | None = None  # asked instead of answering
    complaints: tuple[str, ...] = field(default=())


def _range(r: Range | None, lo: float | None, hi: float | None) -> bool | None:
    """Does a value known to lie in [lo, hi] fall in the range? None when it may or may not."""
    if r is None:
        return True
    if lo is None and hi is None:
        return None
    inside_lo = r.at_least is None or (lo is not None and lo >= r.at_least)
    inside_hi = r.under is None or (hi is not None and hi < r.under)
    if inside_lo and inside_hi:
        return True
    outside = (r.at_least is not None and hi is not None and hi < r.at_least) or \
              (r.under is not None and lo is not None and lo >= r.under)
    return False if outside else None


def _order(d: Disposition) -> tuple[int, bool]:
    """Most urgent first; between two emergencies, 999 before A&E."""
    return RANK[d.urgency], d.service == "call_999"


def _all(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


class Engine:
    def __init__(self, kb: Knowledge):
        self.kb = kb

    def finding(self, fid: str, facts: Facts) -> bool | None:
        if fid in facts.present:
            return True
        if fid in facts.absent:
            return False
        return None

    def holds(self, cond: Condition, facts: Facts) -> bool | None:
        parts: list[bool | None] = []
        if cond.any:
            values = [self.finding(f, facts) for f in cond.any]
            parts.append(True if True in values else (None if None in values else False))
        if cond.all:
            parts.append(_all([self.finding(f, facts) for f in cond.all]))
        if cond.none:
            parts.append(not any(self.finding(f, facts) for f in cond.none))
        for pid in cond.population:
            parts.append(self.holds(self.kb.populations[pid].when, facts))
        lo, hi = facts.subject.age
        parts.append(_range(cond.age, lo, hi))
        if cond.sex:
            parts.append(None if facts.subject.sex is None else facts.subject.sex == cond.sex)
        weeks = facts.subject.pregnancy_weeks
        parts.append(_range(cond.pregnancy_weeks, weeks, weeks))
        parts.append(_range(cond.temperature, facts.temperature, facts.temperature))
        parts.append(_range(cond.duration_hours, facts.duration_hours, facts.duration_hours))
        return _all(parts)

    def decide(self, complaint: Complaint, facts: Facts) -> tuple[Rule, list[Rule]]:
        """The rule that decides, and the more urgent rules above it that may yet hold."""
        possible: list[Rule] = []
        for rule in complaint.rules:
            verdict = True if rule.when is None else self.holds(rule.when, facts)
            if verdict:
                return rule, possible
            if verdict is None:
                possible.append(rule)
        return complaint.rules[-1], possible

    def assess(self, facts: Facts, questions_asked: int = 0) -> Assessment:
        raised = sorted({c for f in facts.present for c in self.kb.raised_by.get(f, ())})
        if not raised:
            return Assessment(None)
        best: Disposition | None = None
        candidates: list[tuple[int, Ask]] = []
        for cid in raised:
            complaint = self.kb.complaints[cid]
            rule, possible = self.decide(complaint, facts)
            disposition = Disposition(rule.urgency, rule.service, rule.reason, rule.source, cid, rule.offer,
                                      rule.red_flag)
            if best is None or _order(disposition) > _order(best):
                best = disposition
            above = [r for r in possible if RANK[r.urgency] > RANK[rule.urgency]]
            if complaint.ask and above:
                unknown = {f for r in above for f in r.when.findings if self.finding(f, facts) is None}
                options = tuple(o for o in complaint.ask.options if o in unknown and o not in facts.unsure)
                if options:
                    urgency = max(RANK[r.urgency] for r in above)
                    labels = tuple(self.kb.findings[o].label for o in options)
                    candidates.append((urgency, Ask(cid, complaint.ask.text, options, labels)))
        best = self.modified(best, facts, raised)
        if RANK[best.urgency] < RANK["urgent"] and self._unsure_matters(facts, raised):
            best = Disposition("urgent", "nhs_111", NOT_SURE_REASON, best.source, best.complaint)
        if best.urgency != "emergency" and questions_asked < MAX_QUESTIONS:
            worth_asking = [(u, a) for u, a in candidates if u > RANK[best.urgency]]
            if worth_asking:
                return Assessment(best, max(worth_asking, key=lambda c: c[0])[1], tuple(raised))
        return Assessment(best, None, tuple(raised))

    def _unsure_matters(self, facts: Facts, raised: list[str]) -> bool:
        """A sign the resident was not sure of belongs to an urgent or emergency rule of a raised
        complaint: it cannot be excluded, so the answer is never below urgent."""
        if not facts.unsure:
            return False
        for cid in raised:
            for rule in self.kb.complaints[cid].rules:
                if rule.when and RANK[rule.urgency] >= RANK["urgent"] and set(rule.when.findings) & facts.unsure:
                    return True
        return False

    def modified(self, best: Disposition, facts: Facts, raised: list[str]) -> Disposition:
        for modifier in self.kb.modifiers:
            if modifier.complaints and not set(modifier.complaints) & set(raised):
                continue
            if RANK[modifier.at_least] > RANK[best.urgency] and self.holds(modifier.when, facts):
                best = Disposition(modifier.at_least, modifier.service, modifier.reason, modifier.source,
                                   best.complaint)
        return best


def engine() -> Engine:
    return Engine(knowledge())
