"""The commissioners' report from a tracker store written by Rasa's own SQLTrackerStore.

The store holds a month of conversations made to look like the assistant's: residents asking
about A&E and steered to a pharmacy, emergencies by SMS (one resident coming back, with slots
carried over into the new session), dentist searches in Winsford that found nothing, and a
few small groups that must be hidden. Every message carries a marker and a phone number that
must never reach the report.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner
from PIL import Image
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.directory.db import engine_for
from bot.directory.loader import load
from bot.paths import ROOT, SERVICES_DIRECTORY
from bot.report.data import LONDON, read_summary
from bot.report.names import load_directory
from bot.report.suppress import table
from bot.tracker_db import TrackerStore, open_engine
from tests.bot.conversations import Turn, save, session, tracker_store

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "results" / "screenshots"
SINCE = dt.datetime(2025, 3, 1, tzinfo=LONDON)
UNTIL = dt.datetime(2025, 4, 1, tzinfo=LONDON)
PHONE = "07700 900982"
MARKERS: list[str] = []


def said(words: str) -> str:
    """A message with a unique marker and a phone number in it (neither may reach the report)."""
    marker = f"MARKER{uuid.uuid4().hex[:12]}"
    MARKERS.append(marker)
    return f"{words} {marker} ring me on {PHONE}"


def at(day: int, hour: int, minute: int = 5) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=LONDON)


def ae_steered(community: str, place: str) -> list[Turn]:
    return [Turn(said("should I go to A&E with my sore throat"), "ask_about_ae",
                 {"urgency": "self_care", "recommended_service": "pharmacy", "triage_condition": "sore_throat",
                  "steered_from_ae": True, "search_service": "pharmacy", "search_offer": "pharmacy_first",
                  "care_community": community, "place": place, "search_found": True})]


def emergency() -> list[Turn]:
    return [Turn(said("my dad has chest pain"), "emergency",
                 {"red_flag": "chest_pain", "urgency": "emergency", "recommended_service": "call_999"},
                 action="utter_emergency")]


def dentist_not_found(community: str, place: str) -> list[Turn]:
    return [Turn(said("I need a dentist"), "find_service",
                 {"service_type": "dentist", "search_service": "dentist", "care_community": community,
                  "place": place, "search_found": False, "needs_place": False}, action="action_find_service")]


def triage_then_place(community: str, place: str) -> list[Turn]:
    """An outcome first, the place asked for and given in the next message."""
    return [Turn(said("I twisted my ankle playing football"), "describe_problem",
                 {"urgency": "urgent", "recommended_service": "urgent_treatment_centre",
                  "search_service": "urgent_treatment_centre", "needs_place": True}),
            Turn(place, "inform_place", {"place": place, "care_community": community, "search_found": True,
                                         "needs_place": False}, action="action_signpost")]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """(tracker store URL, directory URL, expected figures)."""
    tmp = tmp_path_factory.mktemp("report")
    directory_url = f"sqlite:///{tmp / 'directory.db'}"
    load(SERVICES_DIRECTORY, engine_for(directory_url))
    store = tracker_store(dialect="sqlite", db=str(tmp / "tracker.db"))
    for i in range(12):  # web, mid-morning: asked about A&E, told a pharmacy is better
        save(store, f"web-{uuid.uuid4()}", session(at(3 + i, 10), ae_steered("northwich", "Northwich")))
    for i in range(6):  # SMS emergencies in the evening
        save(store, f"sms-{uuid.uuid4().hex}", session(at(2 + i, 21), emergency(), channel="sms"))
    # One SMS resident twice: the second session starts with the first one's slots carried over.
    save(store, f"sms-{uuid.uuid4().hex}",
         session(at(20, 9), triage_then_place("crewe", "Crewe"), channel="sms")
         + session(at(21, 9), [Turn(said("thanks"), "thank", action="utter_thank")], channel="sms",
                   carried={"urgency": "urgent", "recommended_service": "urgent_treatment_centre",
                            "care_community": "crewe", "place": "Crewe", "search_found": True}))
    for i in range(7):  # unmet need: no dentist in Winsford
        save(store, f"web-{uuid.uuid4()}", session(at(4 + i, 20), dentist_not_found("winsford", "Winsford")))
    for i in range(2):  # a small group, by postcode: must be hidden, and shown only as the district
        save(store, f"web-{uuid.uuid4()}", session(at(5 + i, 14), [Turn(
            said("pharmacy near CH1 2AB"), "find_service",
            {"service_type": "pharmacy", "search_service": "pharmacy", "care_community": "chester-central",
             "place": "CH1 2AB", "search_found": False}, action="action_find_service")]))
    # A place slot that holds words a resident typed: never shown.
    save(store, f"web-{uuid.uuid4()}", session(at(9, 14), [Turn(
        said("chemist"), "find_service", {"service_type": "pharmacy", "search_service": "pharmacy",
                                          "care_community": "northwich", "place": "Flat 3 Acacia Avenue",
                                          "search_found": False}, action="action_find_service")]))
    # Asked about A&E without naming a problem: asked, not steered.
    save(store, f"web-{uuid.uuid4()}", session(at(11, 16), [Turn(said("should I go to A&E"), "ask_about_ae",
                                                               action="action_triage")]))
    # A value with markup in it (a community id the directory does not know): escaped, never run.
    save(store, f"web-{uuid.uuid4()}", session(at(12, 16), [Turn(
        said("hello"), "greet", {"care_community": "<script>alert(1)</script>"}, action="utter_greet")]))
    # Outside the period: not counted.
    save(store, f"web-{uuid.uuid4()}", session(dt.datetime(2025, 2, 10, 10, tzinfo=LONDON),
                                               ae_steered("northwich", "Northwich")))
    save(store, f"web-{uuid.uuid4()}", session(dt.datetime(2025, 4, 2, 10, tzinfo=LONDON),
                                               dentist_not_found("winsford", "Winsford")))
    store.engine.dispose()
    expected = {"conversations": 12 + 6 + 2 + 7 + 2 + 1 + 1 + 1, "web": 12 + 7 + 2 + 1 + 1 + 1, "sms": 6 + 2,
                "asked-ae": 13, "steered-ae": 12, "outcomes": 12 + 6 + 1, "unmet": 7 + 2 + 1}
    return f"sqlite:///{tmp / 'tracker.db'}", directory_url, expected


@pytest.fixture(scope="module")
def summary(stores):
    url, directory_url, _ = stores
    engine = open_engine(TrackerStore(make_url(url), "test"))
    directory = load_directory(engine_for(directory_url))
    yield read_summary(engine, SINCE, UNTIL, directory), directory
    engine.dispose()


@pytest.fixture(scope="module")
def report(stores, tmp_path_factory) -> tuple[str, Path]:
    """The report, made by the command as staff would run it."""
    url, directory_url, _ = stores
    out = tmp_path_factory.mktemp("out") / "report.html"
    result = CliRunner(mix_stderr=False).invoke(main, [
        "report", "--since", "2025-03-01", "--until", "2025-03-31", "--out", str(out), "--db", url,
        "--directory-db", directory_url], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert f"Wrote {out}" in result.stdout
    return out.read_text(encoding="utf-8"), out


class _Tables(HTMLParser):
    """Tables by id, as lists of rows of cell texts; and data-figure values."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.figures: dict[str, str] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._figure: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        if "data-figure" in attrs:
            self._figure = attrs["data-figure"]
            self.figures[self._figure] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag == "span":
            self._figure = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._figure:
            self.figures[self._figure] += data


def row(tables: _Tables, table_id: str, first: str) -> list[str]:
    return next(r for r in tables.tables[table_id] if r and r[0] == first)


# --- counting ----------------------------------------------------------------------------------

def test_the_counts_follow_the_conversations(summary, stores):
    s, _ = summary
    expected = stores[2]
    assert s.conversations == expected["conversations"]
    assert s.by_channel == Counter(web=expected["web"], sms=expected["sms"])
    assert (s.asked_about_ae, s.steered_from_ae) == (expected["asked-ae"], expected["steered-ae"])
    assert s.steered_to == Counter(pharmacy=12)
    assert s.by_urgency == Counter(self_care=12, emergency=6, urgent=1), "carried-over slots counted again"
    # The ankle was placed in Crewe one message after the outcome.
    assert s.by_community_urgency["crewe", "urgent"] == 1
    assert s.unmet == Counter({("winsford", "Winsford", "dentist"): 7, ("chester-central", "CH1", "pharmacy"): 2,
                               ("northwich", None, "pharmacy"): 1})
    assert s.searches == 12 + 1 + 10
    assert s.by_hour[10] == 12 and s.by_hour[21] == 6 and s.by_hour[20] == 7


def test_small_numbers_are_hidden_and_cannot_be_worked_out_from_totals():
    cells, row_totals, col_totals, grand = table([[50, 3], [20, 30]])
    # 3 is hidden; so that 53 - 50 does not give it away, another count in its row and column goes.
    assert [[c.shown for c in r] for r in cells] == [["*", "<5"], ["*", "*"]]
    assert [c.shown for c in row_totals + col_totals] == ["53", "50", "70", "33"]
    zero_kept = table([[0, 7], [12, 9]])
    assert [[c.shown for c in r] for r in zero_kept[0]] == [["0", "7"], ["12", "9"]], "zero identifies nobody"


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 5).flatmap(lambda cols: st.lists(st.lists(st.integers(0, 30), min_size=cols, max_size=cols),
                                                       min_size=1, max_size=6)))
def test_no_row_or_column_has_a_single_hidden_count(counts):
    cells, row_totals, col_totals, grand = table(counts)
    grid = [r + [t] for r, t in zip(cells, row_totals)] + [col_totals + [grand]]
    lines = grid + [list(col) for col in zip(*grid)]
    for line in lines:  # total minus the shown counts never leaves a single hidden count
        assert sum(c.hidden for c in line) != 1, line
    for line in grid:
        for c in line:
            assert c.shown in ("<5", "*") or not 0 < c.value < 5
            assert c.shown != "<5" or 0 < c.value < 5


# --- the report --------------------------------------------------------------------------------

def test_the_report_shows_the_figures(report, stores):
    html, _ = report
    expected = stores[2]
    tables = _Tables(html)
    for name in ("conversations", "asked-ae", "steered-ae", "outcomes", "unmet"):
        assert tables.figures[name] == str(expected[name]), name
    assert tables.figures["conversations-web"] == str(expected["web"])
    assert tables.figures["conversations-sms"] == str(expected["sms"])
    # Unmet need by place and type; small groups hidden; a postcode only as its district.
    assert row(tables, "table-unmet", "Winsford Care Community")[1:] == ["Winsford", "Dentist", "7"]
    assert row(tables, "table-unmet", "Chester Central Care Community")[1:] == ["CH1", "Pharmacy", "<5"]
    assert row(tables, "table-unmet", "Northwich Care Community")[1:] == ["Not recorded", "Pharmacy", "<5"]
    assert row(tables, "table-ae-to", "Pharmacy")[1] == "12"
    # One resident asked with no problem named and no place ("<5"): with the total of 13 shown,
    # Northwich's 12 would give that 1 away, so it is hidden too.
    assert row(tables, "table-ae", "Not known")[1:] == ["<5", "0"]
    assert row(tables, "table-ae", "Northwich Care Community")[1:] == ["*", "12"]
    assert row(tables, "table-ae", "Total")[1:] == ["13", "12"]
    assert row(tables, "table-urgency", "Crewe Care Community")[1:3] == ["0", "<5"]
    assert row(tables, "table-urgency", "Northwich Care Community")[4:] == ["12", "12"]
    hours = row(tables, "table-hours", "10:00 to 10:59")
    assert hours[-1] == "12"
    # Every local Care Community has a row, with its name from the directory.
    assert len(tables.tables["table-conversations"]) >= 17 + 2
    assert "Small numbers are hidden" in html


def test_every_small_count_is_hidden(report):
    tables = _Tables(report[0])
    for table_id, rows in tables.tables.items():
        for cells in rows:
            for text in cells[1:]:
                if re.fullmatch(r"[0-9,]+", text):
                    assert not 0 < int(text.replace(",", "")) < 5, (table_id, cells)


def test_no_message_text_or_phone_number_reaches_the_report(report):
    html, _ = report
    assert MARKERS
    for marker in MARKERS:
        assert marker not in html
    for needle in (PHONE, PHONE.replace(" ", ""), "900982", "sore throat", "chest pain", "Acacia", "CH1 2AB",
                   "sms-", "web-"):
        assert needle not in html, needle


def test_the_report_is_self_contained(report):
    html, _ = report
    assert "<script" not in html.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "url(http" not in html and "@import" not in html and "@font-face" not in html
    assert "Content-Security-Policy" in html
    # One chart per section at least, each with a title for screen readers and a table after it.
    assert html.count("<svg") >= 8 and html.count("<svg") == html.count("<title id=")


def test_the_report_renders_in_chromium_and_is_not_blank(report):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make setup`", pytrace=False)
    _, path = report
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "report.png"
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless=new"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            errors: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(path.as_uri())
            assert page.locator("svg.chart").count() >= 8
            box = page.locator("#chart-conversations").bounding_box()
            assert box and box["width"] > 400 and box["height"] > 100
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert not errors, errors
    with Image.open(shot) as image:  # Pillow: pinned in requirements.lock (a matplotlib dependency)
        rgb = image.convert("RGB")
        width, height = rgb.size
        colours = Counter(dict((colour, n) for n, colour in rgb.getcolors(maxcolors=width * height)))
    assert width >= 1000 and height > 2000
    background = colours.most_common(1)[0][1]
    assert len(colours) > 50, "the screenshot has almost no colours: blank?"
    assert background / (width * height) < 0.9, "the screenshot is nearly one colour: blank?"
    assert colours[(0, 94, 184)] > 1000, "no NHS blue bars or header in the screenshot"
