"""The web chat page in a real browser, against the real running assistant.

Debian's Chromium (`make setup` installs it) is driven by Playwright through `executable_path`:
no browser is downloaded. axe-core comes from node_modules (`make setup` runs `npm ci`).
Screenshots are saved to results/screenshots/ as test artefacts.

Every page opened here records every request it makes; when the test ends, each must have gone
to the page's own server (the fixture fails the test otherwise), and the page must have thrown
no script error.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.paths import ROOT, STATIC

pytestmark = pytest.mark.integration

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NHSUK_CSS = STATIC / "vendor" / "nhsuk" / "nhsuk-frontend.css"
SCREENSHOTS = ROOT / "results" / "screenshots"
REPLY_MS = 60_000  # a first answer can take a few seconds while the model warms up
EMERGENCY = "my dad has chest pain and can't breathe"
NHS_FOCUS_YELLOW = "rgb(255, 235, 59)"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `make setup` "
                    "(it installs Debian's chromium package)", pytrace=False)
    for built in (AXE, NHSUK_CSS):
        if not built.exists():
            pytest.fail(f"{built.relative_to(ROOT)} is missing: run `make setup` "
                        "(it runs npm ci and builds the page's NHS.UK styles)", pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--headless=new"])
        yield browser
        browser.close()


@dataclass
class Chat:
    """One browser tab on the chat page."""
    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self) -> "Chat":
        self.page.goto(self.base + "/")
        expect(self.page.locator("#message")).to_be_visible()
        return self

    def bot_messages(self) -> Locator:
        return self.page.locator("#log .app-message--bot")

    def user_texts(self) -> list[str]:
        return self.page.locator("#log .app-message--user p").all_inner_texts()

    def wait_reply(self, before: int) -> Locator:
        """The first bot message after the `before` ones already shown, once the answer is in."""
        self.page.wait_for_function(
            """n => document.querySelectorAll('#log .app-message--bot').length > n
                    && document.getElementById('log').dataset.pending === '0'""",
            arg=before, timeout=REPLY_MS)
        return self.bot_messages().nth(before)

    def send(self, text: str) -> Locator:
        before = self.bot_messages().count()
        self.page.fill("#message", text)
        self.page.press("#message", "Enter")
        return self.wait_reply(before)

    def quick_replies(self) -> Locator:
        """Quick replies of the latest answer: "hello", and "what can you do" if hello had none."""
        self.send("hello")
        last = self.bot_messages().last.locator(".app-quick-reply")
        if not last.count():
            self.send("what can you do")
            last = self.bot_messages().last.locator(".app-quick-reply")
        assert last.count(), "no answer with quick replies"
        return last

    def axe_violations(self) -> list[dict]:
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        return self.page.evaluate(
            """async tags => {
                const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
                if (!result.passes.some(r => r.id === 'color-contrast')) throw new Error('axe checked nothing');
                return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
            }""", AXE_TAGS)

    def focus_style(self) -> dict:
        return self.page.evaluate(
            """() => {
                const el = document.activeElement, s = getComputedStyle(el);
                return {tag: el.tagName, id: el.id, className: el.className, text: el.textContent.trim(),
                        outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, outlineColor: s.outlineColor,
                        boxShadow: s.boxShadow, background: s.backgroundColor};
            }""")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        # From the top, so the sticky emergency line is drawn where it starts, above the content.
        self.page.evaluate("window.scrollTo(0, 0)")
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def open_chat(browser: Browser, assistant):
    """Opens the chat page in a fresh browser context (its own sessionStorage)."""
    chats: list[Chat] = []
    contexts = []

    def _open(width: int = 1024, height: int = 800, bypass_csp: bool = False) -> Chat:
        # bypass_csp only for axe: Playwright injects its script inline, which the page's
        # Content-Security-Policy rightly blocks.
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(REPLY_MS)
        chat = Chat(page, assistant.web_url)
        page.on("request", lambda req: chat.requests.append(req.url))
        page.on("pageerror", lambda exc: chat.errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and chat.errors.append(msg.text))
        chats.append(chat)
        return chat.open()

    yield _open
    for context in contexts:
        context.close()
    own = urlsplit(assistant.web_url).netloc
    for chat in chats:
        elsewhere = [url for url in chat.requests if urlsplit(url).netloc != own]
        assert not elsewhere, f"the page made requests to other hosts: {elsewhere}"
        assert not chat.errors, f"errors in the page: {chat.errors}"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def shows_focus(style: dict) -> bool:
    """A visible focus indicator: an outline that is drawn, a box shadow, or NHS yellow."""
    outline = (style["outlineStyle"] != "none" and style["outlineWidth"] not in ("0px", "")
               and not style["outlineColor"].endswith(", 0)") and style["outlineColor"] != "transparent")
    return outline or style["boxShadow"] != "none" or style["background"] == NHS_FOCUS_YELLOW


# --- (a) type a message and see the reply

def test_typing_a_message_shows_it_and_the_assistants_reply(open_chat):
    chat = open_chat()
    reply = chat.send("hello")
    assert chat.user_texts() == ["hello"]
    said = reply.inner_text().replace("The assistant said:", "").strip()
    assert said and "not available" not in said
    message_box = chat.page.locator("#message")
    expect(message_box).to_be_focused()  # focus stays in the message box, ready for the next one
    expect(message_box).to_have_value("")
    expect(chat.page.locator("#typing")).to_be_hidden()
    # New messages are announced: they are added to a polite live region (role "log").
    log = chat.page.locator("#log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    assert reply.locator("xpath=..").get_attribute("id") == "log"


# --- (b) click a quick reply

def test_clicking_a_quick_reply_sends_it_and_shows_the_answer(open_chat):
    chat = open_chat()
    replies = chat.quick_replies()
    pharmacy = replies.filter(has_text="Find a pharmacy")
    button = pharmacy.first if pharmacy.count() else replies.first
    title = button.inner_text().strip()
    before = chat.bot_messages().count()
    button.click()
    answer = chat.wait_reply(before)
    # The resident sees the button's words as their message, never the payload behind it.
    assert chat.user_texts()[-1] == title
    assert "/find_service" not in chat.page.locator("#log").inner_text()
    said = answer.inner_text()
    assert said.strip() and "didn't understand" not in said
    expect(chat.page.locator("#message")).to_be_focused()


# --- (c) keyboard only

def tab_until(chat: Chat, test_js: str, key: str = "Tab", most: int = 20) -> dict:
    for _ in range(most):
        chat.page.keyboard.press(key)
        if chat.page.evaluate(f"(el => {test_js})(document.activeElement)"):
            return chat.focus_style()
    raise AssertionError(f"{key} never reached the element ({test_js}); stopped at {chat.focus_style()}")


def test_keyboard_alone_reaches_types_sends_and_picks_a_quick_reply_with_visible_focus(open_chat):
    chat = open_chat()
    keyboard = chat.page.keyboard

    # The first Tab shows NHS.UK's skip link; Enter on it moves to the main content.
    keyboard.press("Tab")
    skip = chat.focus_style()
    assert "nhsuk-skip-link" in skip["className"] and shows_focus(skip), skip
    keyboard.press("Enter")
    assert chat.page.evaluate("document.activeElement.id") == "maincontent"

    box = tab_until(chat, "el.id === 'message'")
    assert shows_focus(box), f"no visible focus on the message box: {box}"

    keyboard.type("what can you do")
    before = chat.bot_messages().count()
    keyboard.press("Enter")
    chat.wait_reply(before)
    expect(chat.page.locator("#message")).to_be_focused()
    assert chat.bot_messages().last.locator(".app-quick-reply").count(), "expected quick replies"

    # The quick replies sit just above the message box: Shift+Tab goes back to them.
    button = tab_until(chat, "el.classList.contains('app-quick-reply')", key="Shift+Tab")
    assert shows_focus(button), f"no visible focus on the quick reply: {button}"
    assert button["background"] == NHS_FOCUS_YELLOW, button  # NHS.UK's yellow focus
    # ...and the focused button is on screen, not hidden under the sticky emergency line.
    top, bottom = chat.page.evaluate("(r => [r.top, r.bottom])(document.activeElement.getBoundingClientRect())")
    line = chat.page.locator(".app-emergency").bounding_box()
    assert top >= line["y"] + line["height"] and bottom <= chat.page.viewport_size["height"]

    before = chat.bot_messages().count()
    keyboard.press("Space")
    answer = chat.wait_reply(before)
    assert chat.user_texts()[-1] == button["text"]
    assert answer.inner_text().strip()
    expect(chat.page.locator("#message")).to_be_focused()

    # Enter works on a quick reply too (Shift+Tab reaches the nearest one above the message box).
    button = tab_until(chat, "el.classList.contains('app-quick-reply')", key="Shift+Tab")
    before = chat.bot_messages().count()
    keyboard.press("Enter")
    chat.wait_reply(before)
    assert chat.user_texts()[-1] == button["text"]
    expect(chat.page.locator("#message")).to_be_focused()


# --- (d) axe-core: no serious or critical violations

def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("width", [1024, 320])
def test_axe_finds_no_serious_or_critical_violations(open_chat, width):
    chat = open_chat(width=width, bypass_csp=True)
    found = chat.axe_violations()
    assert not serious(found), f"on the empty page at {width}px: {serious(found)}"

    chat.quick_replies()
    chat.send(EMERGENCY)  # a "Call 999" button and tel: links
    assert chat.page.locator("#log .app-quick-reply").count()
    assert chat.page.locator("#log a.app-call").count()
    found = chat.axe_violations()
    assert not serious(found), f"after a conversation at {width}px: {serious(found)}"
    # Moderate and minor findings are reported, not failed on.
    if found:
        print(f"axe at {width}px, moderate or minor: {found}")


# --- (e) 320 px wide: no horizontal scrolling, targets at least 24 px

def test_at_320_px_wide_nothing_scrolls_sideways_and_every_target_is_at_least_24_px(open_chat):
    chat = open_chat(width=320, height=640)
    width = "document.scrollingElement.scrollWidth"
    assert chat.page.evaluate(width) <= 320
    chat.quick_replies()
    chat.send(EMERGENCY)
    chat.send("I need a pharmacy in Northwich")
    assert chat.page.evaluate(width) <= 320, "the page scrolls sideways at 320 px"
    small = chat.page.evaluate(
        """() => [...document.querySelectorAll('a, button, input')]
            .map(el => ({el, r: el.getBoundingClientRect()}))
            .filter(({el, r}) => r.width > 1 && r.height > 1 && !el.closest('.nhsuk-skip-link'))
            .filter(({r}) => r.width < 24 || r.height < 24)
            .map(({el, r}) => `${el.tagName} "${el.textContent.trim()}" ${r.width}x${r.height}`)""")
    assert not small, f"targets smaller than 24 px: {small}"
    png_path = chat.screenshot("chat-320px.png")
    assert png_size(png_path)[0] == 320


# --- (f) a reload keeps the conversation and the sender

def test_a_reload_shows_the_same_conversation_and_carries_it_on_with_the_same_sender(open_chat, assistant):
    chat = open_chat()
    chat.send("hello")
    chat.send(EMERGENCY)
    sender = chat.page.evaluate("sessionStorage.getItem('sender')")
    shown = chat.page.locator("#log").inner_text()
    assert sender and "Call 999" in shown

    chat.page.reload()
    expect(chat.page.locator("#message")).to_be_visible()
    assert chat.page.evaluate("sessionStorage.getItem('sender')") == sender
    assert chat.page.locator("#log").inner_text() == shown
    assert chat.page.locator("#log a[href='tel:999']").count()  # buttons and links come back too

    chat.send("what can you do")
    said = [e.get("text") for e in assistant.tracker(sender)["events"] if e.get("event") == "user"]
    assert said[:1] == ["hello"] and said[-1] == "what can you do", said


# --- (g) no third-party requests

def test_the_page_makes_no_request_to_any_other_host(open_chat, assistant):
    chat = open_chat()
    replies = chat.quick_replies()
    before = chat.bot_messages().count()
    replies.first.click()
    chat.wait_reply(before)
    chat.send(EMERGENCY)
    chat.page.reload()
    chat.page.wait_for_load_state("networkidle")
    own = urlsplit(assistant.web_url).netloc
    # The recording works: it saw the styles, the script and the chat calls...
    paths = {urlsplit(url).path for url in chat.requests}
    assert {"/static/vendor/nhsuk/nhsuk-frontend.css", "/static/chat.js",
            "/webhooks/rest/webhook"} <= paths, paths
    # ...and all of them went to the page's own server.
    assert all(urlsplit(url).netloc == own for url in chat.requests), chat.requests
    # The browser is told to refuse any other host, and the NHS.UK styles name no remote font.
    csp = chat.page.locator("meta[http-equiv='Content-Security-Policy']").get_attribute("content")
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    css = NHSUK_CSS.read_text()
    assert "http://" not in css and "https://" not in css and "@font-face" not in css


# --- (h) an emergency: 999 as a tel: link in the first reply

def test_an_emergency_gets_a_tel_999_link_in_the_first_reply(open_chat):
    chat = open_chat()
    first = chat.send(EMERGENCY)
    assert "Call 999" in first.inner_text()
    link = first.locator("a[href='tel:999']").first
    expect(link).to_be_visible()
    # The persistent line is there whatever the conversation says.
    expect(chat.page.locator(".app-emergency a[href='tel:999']")).to_be_visible()


# --- (i) a screenshot as a test artefact

def test_a_screenshot_of_a_conversation_is_saved(open_chat):
    chat = open_chat(width=1024, height=900)
    chat.quick_replies()
    chat.send(EMERGENCY)
    path = chat.screenshot("chat-desktop.png")
    width, height = png_size(path)
    assert width == 1024 and height >= 900
    assert path.stat().st_size > 30_000, "the screenshot looks empty"


# --- how messages are drawn, with answers made up here (no assistant needed for the content)

def test_phone_numbers_become_tel_links_and_message_text_is_never_html(open_chat):
    chat = open_chat()
    made_up = [
        {"text": "Call 111, or 999 in an emergency. Samaritans: 116 123. Text relay: 18000.\n\n"
                 "Boots: 01244 123456. Freephone 0800 123 4567, mobile 07700 900123. "
                 "Not numbers: 111.nhs.uk, CW9 7AA, 08:30 to 18:30, order 1234567890123."},
        {"text": "<img src=x onerror=\"window.pwned=1\"><b>bold</b>",
         "buttons": [{"title": "Call 111", "payload": "tel:111"},
                     {"title": "Bad", "payload": "tel:javascript:alert(1)"},
                     {"title": "Find a dentist", "payload": '/find_service{"service_type": "dentist"}'}]},
    ]
    chat.page.route("**/webhooks/rest/webhook",
                    lambda route: route.fulfill(status=200, json=made_up))
    first = chat.send("anything")
    hrefs = first.locator("a").evaluate_all("links => links.map(a => [a.textContent, a.getAttribute('href')])")
    assert hrefs == [["111", "tel:111"], ["999", "tel:999"], ["116 123", "tel:116123"], ["18000", "tel:18000"],
                     ["01244 123456", "tel:01244123456"], ["0800 123 4567", "tel:08001234567"],
                     ["07700 900123", "tel:07700900123"]]
    second = chat.bot_messages().nth(1)
    assert "<img src=x" in second.inner_text() and not second.locator("img, b").count()
    assert chat.page.evaluate("window.pwned") is None
    call = second.locator("a.nhsuk-button")
    assert call.all_inner_texts() == ["Call 111"] and call.get_attribute("href") == "tel:111"
    assert second.locator("button.app-quick-reply").all_inner_texts() == ["Find a dentist"]


def test_when_the_server_cannot_be_reached_the_page_says_call_111_or_999(open_chat):
    chat = open_chat()
    chat.page.route("**/webhooks/rest/webhook", lambda route: route.abort())
    said = chat.send("hello").inner_text()
    assert "111" in said and "999" in said
    chat.errors.clear()  # the browser logs the failed request itself


# --- a message that is too long: said on the page before anything is sent, the text kept

def test_a_message_too_long_is_explained_on_the_page_kept_and_not_sent(open_chat):
    chat = open_chat(bypass_csp=True)  # for axe
    box = chat.page.locator("#message")
    most = int(box.get_attribute("data-maxlength"))
    sent: list[str] = []
    chat.page.on("request", lambda req: "/webhooks/rest/webhook" in req.url and sent.append(req.url))

    words = "I need a pharmacy in Crewe for my mum "
    too_long = (words * (most // len(words) + 2))[:most + 1].rstrip() + "!"
    assert len(too_long) > most
    chat.page.fill("#message", too_long)
    chat.page.press("#message", "Enter")

    error = chat.page.locator("#message-error")
    expect(error).to_be_visible()
    said = error.inner_text()
    assert said.startswith("Error:") and "too long" in said and f"{most:,}" in said and "999" in said, said
    expect(error).to_have_attribute("role", "alert")  # announced: focus stays in the box
    expect(box).to_be_focused()
    expect(box).to_have_value(too_long)  # nothing lost
    expect(box).to_have_attribute("aria-invalid", "true")
    assert "message-error" in box.get_attribute("aria-describedby").split()
    assert chat.page.locator(".nhsuk-form-group--error #message.nhsuk-input--error").count() == 1
    assert not sent and not chat.user_texts() and not chat.bot_messages().count()
    assert not serious(chat.axe_violations()), "with the error shown"

    # Cut to the limit, it goes, the error goes, and the assistant answers (the servers accept it).
    at_most = too_long[:most].rstrip()
    reply = chat.send(at_most)
    assert chat.user_texts() == [at_most] and sent
    assert "not available" not in reply.inner_text() and "too long" not in reply.inner_text()
    expect(error).to_have_count(0)
    expect(box).not_to_have_attribute("aria-invalid", "true")
    assert box.get_attribute("aria-describedby") == "message-hint"
