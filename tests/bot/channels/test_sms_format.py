"""SMS formatting on its own: GSM-7 text, segment counts, numbered options, the 3-segment bound."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.sms_format import (GSM7_BASIC, MAX_OPTIONS, SMS_SAFE, format_reply,
                                     is_gsm7, option_number, segments, to_gsm, total_segments)
from bot.signposting import SAFETY_NET

# The answer to "find a pharmacy in Crewe" (shipped sample directory), as Rasa's collecting
# channel returns it: 468 characters in all, one place too many for 3 segments.
CREWE = [
    {"text": "Places near you:"},
    {"text": "Asda Pharmacy, Crewe\nAsda superstore, Dunwoody Way, Crewe, CW1 3AW\nPhone: 01632 960374\n"
             "Open now until 11pm"},
    {"text": "Boots Pharmacy, Market Street, Crewe\nMarket Street, Crewe, CW1 2HJ\nPhone: 01632 960373\n"
             "Closed now. Opens tomorrow at 8:30am"},
    {"text": "Wistaston Pharmacy\nChurch Lane, Wistaston, Crewe, CW2 8HB\nPhone: 01632 960375\n"
             "Closed now. Opens tomorrow at 9am"},
    {"text": SAFETY_NET},
]
CAPABILITIES = [{
    "text": "I can help you find a GP practice, a pharmacy, an urgent treatment centre, a dentist, "
            "mental health support or a local community group in Cheshire. If it is an emergency, call 999.",
    "buttons": [{"title": "Find a pharmacy", "payload": '/find_service{"service_type": "pharmacy"}'},
                {"title": "Find a GP practice", "payload": '/find_service{"service_type": "gp_practice"}'},
                {"title": "Call 111", "payload": "tel:111"}],
}]


# --- GSM-7 text
def test_curly_quotes_dashes_and_ellipsis_become_ascii():
    assert to_gsm("“Don’t wait” – call 111… — ‘now’") == "\"Don't wait\" - call 111... - 'now'"


def test_emoji_and_other_non_gsm_characters_are_dropped():
    assert to_gsm("Hello 👋🏽 there ❤️") == "Hello there"
    assert to_gsm("Café in Nantwich ½ mile, 38°C, €5") == "Cafe in Nantwich 1/2 mile, 38C, EUR5"
    assert to_gsm("a\u00a0b\tc\u200bd\r\ne") == "a b cd\ne"


def test_characters_that_cost_two_septets_are_replaced():
    assert to_gsm("[A&E] {x} ~ | ^ \\") == "(A&E) (x) - / /"
    assert all(ch in SMS_SAFE for ch in to_gsm("`{}[]~|^\\€"))


def test_blank_lines_and_spaces_are_tidied():
    assert to_gsm("  one  two \n\n\n\nthree  ") == "one two\n\nthree"


def test_the_safe_alphabet_is_single_septet_gsm7():
    assert SMS_SAFE <= GSM7_BASIC


# --- segments
def test_gsm7_segments_160_then_153_per_part():
    assert segments("") == 0
    assert [segments("a" * n) for n in (1, 160, 161, 306, 307, 459, 460)] == [1, 1, 2, 2, 3, 3, 4]


def test_extension_characters_count_twice_and_are_never_split():
    assert segments("{" * 80) == 1 and segments("{" * 81) == 2
    # 152 + 2 septets do not fit a 153-septet part: the "{" starts the second part.
    assert segments("a" * 152 + "{" + "a" * 152) == 3


def test_one_non_gsm_character_switches_to_ucs2():
    assert not is_gsm7("Don’t") and segments("Don’t") == 1
    assert [segments("ł" * n) for n in (70, 71, 134, 135)] == [1, 2, 2, 3]
    assert segments("😀" * 35) == 1 and segments("😀" * 36) == 2  # two UTF-16 units each
    assert segments("a" * 159 + "’") == 3  # 160 characters, but UCS-2


def test_total_segments_adds_messages():
    assert total_segments(["a" * 160, "b" * 161, ""]) == 3


# --- numbered options
def test_buttons_become_numbered_options_and_tel_buttons_a_number_to_call():
    reply = format_reply(CAPABILITIES)
    assert "Reply with a number:\n1: Find a pharmacy\n2: Find a GP practice" in reply.text
    assert reply.text.endswith("Call 111")  # a phone button is not an option to reply with
    assert reply.options == ['/find_service{"service_type": "pharmacy"}',
                             '/find_service{"service_type": "gp_practice"}']
    assert "{" not in reply.text and "/find_service" not in reply.text


def test_a_tel_button_already_in_the_text_adds_nothing():
    reply = format_reply([{"text": "Call 999 now and ask for an ambulance.",
                           "buttons": [{"title": "Call 999", "payload": "tel:999"}]}])
    assert reply.text == "Call 999 now and ask for an ambulance." and reply.options == []


def test_tel_button_title_without_the_number_gets_it():
    reply = format_reply([{"text": "Talk to someone.", "buttons": [{"title": "Samaritans", "payload": "tel:116 123"}]}])
    assert reply.text.endswith("Samaritans: 116 123")


def test_options_are_numbered_across_messages_up_to_nine():
    many = [{"text": "Which one?", "buttons": [{"title": f"Place {i}", "payload": f"Place {i}"} for i in range(12)]}]
    reply = format_reply(many)
    assert len(reply.options) == MAX_OPTIONS and "9: Place 8" in reply.text and "10:" not in reply.text
    two = format_reply([{"text": "A", "buttons": [{"title": "x", "payload": "x"}]},
                        {"text": "B", "buttons": [{"title": "y", "payload": "y"}]}])
    assert "1: x" in two.text and "2: y" in two.text and two.options == ["x", "y"]


def test_option_number_reads_a_bare_digit():
    assert [option_number(t) for t in ("1", " 2 ", "3.", "4)", "12")] == [1, 2, 3, 4, 12]
    assert [option_number(t) for t in ("1 pharmacy", "one", "", "1.5", "+1")] == [None] * 5


# --- the 3-segment bound
def test_a_long_places_answer_drops_the_last_place_and_keeps_111_and_999():
    reply = format_reply(CREWE)
    assert segments(reply.text) <= 3 and is_gsm7(reply.text)
    assert reply.text.startswith("Places near you:")
    assert "Asda Pharmacy, Crewe" in reply.text and "Phone: 01632 960373" in reply.text
    assert "Wistaston Pharmacy" not in reply.text
    assert reply.text.endswith(SAFETY_NET)


def test_a_short_answer_keeps_blank_lines_between_places():
    reply = format_reply(CREWE[:2] + CREWE[-1:])
    assert "Places near you:\n\nAsda Pharmacy" in reply.text and segments(reply.text) <= 3


def test_an_intro_loses_its_place_list_only_together():
    huge_place = "Big Place\n" + "Long road name, " * 30 + "CW1 1AA"
    reply = format_reply([{"text": "Places near you:"}, {"text": huge_place}, {"text": SAFETY_NET}])
    assert reply.text == SAFETY_NET


def test_sentences_with_999_survive_when_sentences_are_dropped():
    text = "This is a long sentence that says very little at all. " * 15 + "Call 999 now."
    reply = format_reply([{"text": text}])
    assert segments(reply.text) <= 3 and reply.text.endswith("Call 999 now.")


def test_an_answer_too_long_to_shorten_by_sentences_ends_with_111_and_999():
    reply = format_reply([{"text": "word " * 400}])
    assert segments(reply.text) <= 3
    assert reply.text.endswith("If you need help now, call 111. In an emergency, call 999.")


def test_the_emergency_answer_fits_whole():
    reply = format_reply([
        {"text": "Call 999 now and ask for an ambulance. If they have an adrenaline auto-injector (like an "
                 "EpiPen), use it now. This could be a serious allergic reaction.",
         "buttons": [{"title": "Call 999", "payload": "tel:999"}]},
        {"text": "If you are told to go to A&E: go now. Get someone to take you; don't drive yourself. Take "
                 "your medicines with you. Deaf or hard of hearing? Use text relay on 18000, or the 999 BSL app."}])
    assert reply.text.startswith("Call 999 now") and "18000" in reply.text and "don't drive" in reply.text
    assert segments(reply.text) <= 3


def test_nothing_to_say_gives_no_message():
    assert format_reply([]).messages == [] and format_reply([{"text": "  😀 "}]).messages == []


buttons = st.lists(st.fixed_dictionaries({"title": st.text(max_size=60),
                                          "payload": st.one_of(st.text(max_size=40), st.just("tel:999"),
                                                               st.just('/find_service{"service_type": "pharmacy"}'))}),
                   max_size=12)
bot_messages = st.lists(st.fixed_dictionaries({"text": st.text(max_size=700)}, optional={"buttons": buttons}),
                        max_size=6)
safety_sentence = st.sampled_from(["Call 999 now.", "In an emergency, call 999.", "Call 111 for help now."])


@settings(max_examples=300, deadline=None)
@given(bot_messages, st.integers(min_value=1, max_value=3))
def test_any_answer_formats_to_gsm7_within_the_segment_bound(messages, max_segments):
    reply = format_reply(messages, max_segments=max_segments)
    assert total_segments(reply.messages) <= max_segments
    assert all(ch in SMS_SAFE for ch in reply.text) and is_gsm7(reply.text)
    if reply.options:
        assert "Reply with a number:" in reply.text and f"{len(reply.options)}: " in reply.text
    if any(re.search(r"(?<!\d)999(?!\d)", to_gsm(m["text"])) for m in messages):
        assert "999" in reply.text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=8), safety_sentence, st.integers(min_value=0, max_value=8))
def test_a_safety_sentence_is_never_dropped(paragraphs, sentence, where):
    paragraphs = ["".join(ch for ch in to_gsm(p) if not ch.isdigit()) for p in paragraphs]  # no other numbers
    paragraphs.insert(min(where, len(paragraphs)), sentence)
    reply = format_reply([{"text": "\n\n".join(paragraphs)}])
    assert sentence in reply.text or "call 999" in reply.text.lower()
    assert segments(reply.text) <= 3



def test_a_long_answer_ending_with_a_colon_is_not_taken_for_an_intro():
    reply = format_reply([{"text": "Here are the words " * 30 + "to read:"}])
    assert reply.text.startswith("Here are the words") and segments(reply.text) <= 3
