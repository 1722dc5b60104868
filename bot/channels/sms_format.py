"""Shape the assistant's answers for SMS: plain GSM-7 text, numbered options, at most 3 segments.

Pure functions, no I/O (clinical-guidance.md section 9 for the SMS facts):
- GSM-7: 160 characters in one message, 153 per part when split. One character outside GSM-7
  switches the whole message to UCS-2 (70, or 67 per part), so `to_gsm` turns curly quotes,
  dashes and ellipses into ASCII and drops emoji and everything else that is not plain text.
- Buttons become "Reply with a number:" and numbered lines; `tel:` buttons become "Call 999".
- A whole reply is one <Message> of at most 3 segments (459 characters). One message, because
  Twilio does not promise that several messages arrive in order. When an answer is too long,
  the last places go first, then sentences from the end; a paragraph or sentence with an
  emergency or helpline number (999, 111, Samaritans...) is never dropped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

MAX_SEGMENTS = 3
MAX_OPTIONS = 9  # one digit to reply with

# GSM 03.38 default alphabet and its extension table (each extension character costs 2 septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = frozenset("\f^{}\\[~]|€")
# What `to_gsm` writes: printable ASCII that is in the basic table, newline and £. Every one is
# a single septet, and none is one that phones or carriers are known to mangle.
SMS_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) - set("`^{}\\[]~|") | {"\n", "£"}

_REPLACE = {
    **dict.fromkeys("‘’‚‛′´`", "'"), **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"), "…": "...", **dict.fromkeys("•·●▪◦", "-"), "×": "x", "÷": "/",
    "⁄": "/", "€": "EUR", "[": "(", "]": ")", "{": "(", "}": ")", "~": "-", "|": "/", "\\": "/",
    "^": "", "→": "->", "←": "<-", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe",
    "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "°": "",
    **dict.fromkeys("\t\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                    "\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f", ""),
    **dict.fromkeys("\r\x0b\x0c\x85\u2028\u2029", "\n"),
}
_REPLACE_TABLE = str.maketrans(_REPLACE)

# Numbers a reply must never lose: emergency, NHS 111, crisis lines, text relay.
SAFETY_NUMBER = re.compile(r"(?<!\d)(?:999|111|116 ?123|85258|0800 ?068 ?41 ?41|0800 ?1111|18000)(?!\d)")
SAFETY_TAIL = "If you need help now, call 111. In an emergency, call 999."
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")


def to_gsm(text: str) -> str:
    """Plain SMS text: curly quotes, dashes and ellipses as ASCII; accents dropped ("é" → "e");
    emoji and other characters outside GSM-7 removed; spaces and blank lines tidied."""
    text = text.replace("\r\n", "\n").translate(_REPLACE_TABLE)
    text = unicodedata.normalize("NFKD", text).translate(_REPLACE_TABLE)
    out = []
    for ch in text:
        if ch in SMS_SAFE:
            out.append(ch)
        elif unicodedata.category(ch) != "Mn":  # combining accents go; anything else is a gap
            out.append(" ")
    lines = [re.sub(r" {2,}", " ", line).strip() for line in "".join(out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def _pack(units: Sequence[int], size: int) -> int:
    """Parts needed for units (septets or UTF-16 code units per character) of `size` each; a
    character is never split across parts (GSM escape pairs, UTF-16 surrogate pairs)."""
    parts, used = 1, 0
    for unit in units:
        if used + unit > size:
            parts, used = parts + 1, 0
        used += unit
    return parts


def segments(text: str) -> int:
    """How many SMS segments `text` is sent as (0 for no text)."""
    if not text:
        return 0
    if is_gsm7(text):
        units = [2 if ch in GSM7_EXTENDED else 1 for ch in text]
        single, part = 160, 153
    else:  # UCS-2
        units = [len(ch.encode("utf-16-le")) // 2 for ch in text]
        single, part = 70, 67
    return 1 if sum(units) <= single else _pack(units, part)


def total_segments(messages: Iterable[str]) -> int:
    return sum(segments(m) for m in messages)


def option_number(text: str) -> int | None:
    """The option a reply picks: "1", " 2 ", "3." → 1, 2, 3; anything else → None."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[.)]?\s*", text or "")
    return int(match.group(1)) if match else None


@dataclass
class _Block:
    """A paragraph of the reply. kind: "normal" (may be dropped), "safety" (has a 999/111/crisis
    number: only its other sentences may be dropped) or "options" (kept unless nothing else fits)."""
    lines: list[list[str]]  # lines of sentences
    kind: str
    index: int = 0

    @classmethod
    def of(cls, text: str, kind: str | None = None) -> "_Block":
        lines = [[s for s in _SENTENCE_END.split(line) if s] for line in text.split("\n")]
        return cls([line for line in lines if line],
                   kind or ("safety" if SAFETY_NUMBER.search(text) else "normal"))

    @property
    def text(self) -> str:
        return "\n".join(" ".join(line) for line in self.lines if line)


@dataclass
class SmsReply:
    """What to send: `text` (one message, "" for none) and the payloads of its numbered options."""
    text: str
    options: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [self.text] if self.text else []


def _blocks_of(messages: Sequence[dict[str, Any]]) -> tuple[list[_Block], list[str]]:
    blocks: list[_Block] = []
    payloads: list[str] = []
    for message in messages:
        text = to_gsm(str(message.get("text") or ""))
        blocks += [_Block.of(p) for p in text.split("\n\n") if p.strip()]
        numbered, extra = [], []
        for button in message.get("buttons") or []:
            payload = str(button.get("payload") or "").strip()
            title = to_gsm(str(button.get("title") or ""))[:40].strip() or to_gsm(payload)[:40]
            if not payload:
                continue
            if payload.lower().startswith("tel:"):
                number = to_gsm(payload[4:]).strip()
                if number and not re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text):
                    # a number to call is kept like a 999 line
                    extra.append(_Block.of(title if number in title else f"{title}: {number}", "safety"))
            elif re.match(r"https?://", payload, re.I):
                extra.append(_Block.of(f"{title}: {to_gsm(payload)}"))
            elif len(payloads) + len(numbered) < MAX_OPTIONS:
                numbered.append((title, payload))
        if numbered:
            first = len(payloads) + 1
            lines = [f"{first + i}: {title}" for i, (title, _) in enumerate(numbered)]
            blocks.append(_Block([["Reply with a number:"]] + [[line] for line in lines], "options"))
            payloads += [payload for _, payload in numbered]
        blocks += extra
    for i, block in enumerate(blocks):
        block.index = i
    return blocks, payloads


def _render(blocks: Sequence[_Block], sep: str) -> str:
    return sep.join(t for t in (b.text for b in blocks) if t)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit * 0.6 else cut).rstrip(" .,;:-\n")


def format_reply(messages: Sequence[dict[str, Any]], max_segments: int = MAX_SEGMENTS) -> SmsReply:
    """Rasa's bot messages (`text`, `buttons`) as one SMS of at most `max_segments` segments."""
    blocks, payloads = _blocks_of(messages)

    def fits(bs: Sequence[_Block], sep: str = "\n") -> bool:
        return segments(_render(bs, sep)) <= max_segments

    def done(bs: list[_Block]) -> SmsReply:
        sep = "\n\n" if fits(bs, "\n\n") else "\n"
        kept_options = any(b.kind == "options" for b in bs)
        return SmsReply(_render(bs, sep), payloads if kept_options else [])

    if fits(blocks):
        return done(blocks)
    # 1. Whole paragraphs without a safety number, from the end (the last places go first);
    #    the first paragraph (what the answer is) stays.
    kept = list(blocks)
    for block in reversed(blocks[1:]):
        if fits(kept):
            break
        if block.kind == "normal":
            kept.remove(block)
    # An intro ("Places near you:") whose places all went goes too.
    indexes = {b.index for b in kept}
    kept = [b for b in kept if not (b.kind == "normal" and b.text.endswith(":")
                                    and b.index + 1 < len(blocks) and b.index + 1 not in indexes)]
    if fits(kept):
        return done(kept)
    # 2. Sentences from the end, except those with a safety number, the options and the first
    #    sentence of all (what the answer is).
    kept = [_Block([list(line) for line in b.lines], b.kind, b.index) for b in kept]
    for block in reversed(kept):
        if block.kind == "options":
            continue
        for line in reversed(block.lines):
            for position in reversed(range(len(line))):
                if fits(kept):
                    return done([b for b in kept if b.text])
                first = block is kept[0] and line is block.lines[0] and position == 0
                if not first and (block.kind == "normal" or not SAFETY_NUMBER.search(line[position])):
                    del line[position]
    kept = [b for b in kept if b.text]
    if fits(kept):
        return done(kept)
    # 3. Still too long (only safety sentences are left, or one huge sentence): cut the text and
    #    end with the 111 and 999 line, so no cut ever loses the route to urgent help.
    text = _render([b for b in kept if b.kind != "options"], "\n")
    limit = (160 if max_segments == 1 else 153 * max_segments) - len(SAFETY_TAIL) - 1
    return SmsReply(f"{_cut(text, limit)}\n{SAFETY_TAIL}".strip(), [])
