// The web chat. It talks to Rasa's REST channel through this page's own server (same origin,
// no other host). One sender id per browser tab session, kept in sessionStorage with the
// conversation shown, so a reload shows the conversation again and carries it on.
//
// Message text is only ever put in the page as text nodes and elements built here: never as HTML.
(function () {
  "use strict";

  const WEBHOOK = "/webhooks/rest/webhook";
  const SENDER_KEY = "sender";
  const TRANSCRIPT_KEY = "transcript";
  const MAX_KEPT = 200; // entries kept for a reload; older ones drop off
  const UNAVAILABLE = "Sorry, the assistant is not available right now. If you need medical help " +
    "now, call 111. In an emergency, call 999.";

  // Phone numbers as the answers write them: 999, 111, 116 123 (Samaritans), 18000 (text relay)
  // and UK numbers of 10 or 11 digits that start with 0 (0800…, 01…, 03…, 07…), with spaces.
  // Not inside a longer number, a word or a web address ("111.nhs.uk").
  const PHONE = /(?<![\w+.])(?:0\d(?:[ -]?\d){8,9}|116 ?123|18000|999|111)(?!\d|\.\w)/g;
  const TEL_PAYLOAD = /^tel:\+?[\d ]{3,20}$/;

  const log = document.getElementById("log");
  const form = document.getElementById("send");
  const input = document.getElementById("message");
  const typing = document.getElementById("typing");
  const group = input.closest(".nhsuk-form-group");

  // The longest message the page sends, in characters. index.html's data-maxlength is the one
  // place it is set; the servers accept far more (64 KiB bodies, 5,000 characters), so a message
  // the page lets through is never refused for its size.
  const MAX_CHARS = Number(input.dataset.maxlength) || 1000;
  const HINT_ID = "message-hint";
  const ERROR_ID = "message-error";

  // nhsuk-frontend's components (skip link) need these classes on <body> to start.
  document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
  import("/static/vendor/nhsuk/nhsuk-frontend.min.js")
    .then((nhsuk) => nhsuk.initAll())
    .catch(() => { /* the page works without it: only the skip link's focus handling is lost */ });

  // --- session storage (a private window may refuse it: the chat still works, without reload)
  function load(key) {
    try { return sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { sessionStorage.setItem(key, value); } catch (e) { /* not kept */ }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let sender = load(SENDER_KEY);
  if (!sender) {
    sender = newId();
    save(SENDER_KEY, sender);
  }

  let transcript = [];
  try {
    const kept = JSON.parse(load(TRANSCRIPT_KEY) || "[]");
    if (Array.isArray(kept)) transcript = kept;
  } catch (e) { transcript = []; }

  function remember(entry) {
    transcript.push(entry);
    if (transcript.length > MAX_KEPT) transcript = transcript.slice(-MAX_KEPT);
    save(TRANSCRIPT_KEY, JSON.stringify(transcript));
  }

  // --- building messages
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function telHref(number) {
    return "tel:" + number.replace(/[^\d+]/g, "");
  }

  // A line of text, with each phone number in it as a tel: link.
  function appendLine(parent, line) {
    let last = 0;
    for (const match of line.matchAll(PHONE)) {
      if (match.index > last) parent.appendChild(document.createTextNode(line.slice(last, match.index)));
      const link = el("a", "nhsuk-link app-tel", match[0]);
      link.href = telHref(match[0]);
      parent.appendChild(link);
      last = match.index + match[0].length;
    }
    if (last < line.length) parent.appendChild(document.createTextNode(line.slice(last)));
  }

  // Paragraphs are separated by a blank line; a single new line is a line break.
  function appendText(parent, text) {
    for (const para of String(text).split(/\n\s*\n/)) {
      if (!para.trim()) continue;
      const p = el("p");
      para.trim().split("\n").forEach((line, i) => {
        if (i) p.appendChild(document.createElement("br"));
        appendLine(p, line);
      });
      parent.appendChild(p);
    }
  }

  function actionFor(button) {
    const title = String(button.title || button.payload || "");
    const payload = String(button.payload || "");
    if (payload.startsWith("tel:")) {
      if (!TEL_PAYLOAD.test(payload)) return null;
      // A phone call is a link, styled as a button: red for 999.
      const link = el("a", "nhsuk-button app-call" +
        (telHref(payload.slice(4)) === "tel:999" ? " nhsuk-button--warning" : ""), title);
      link.href = telHref(payload.slice(4));
      link.draggable = false;
      return link;
    }
    if (!payload) return null;
    const btn = el("button", "nhsuk-button nhsuk-button--secondary app-quick-reply", title);
    btn.type = "button";
    btn.addEventListener("click", () => {
      input.focus(); // the answer is announced by the log; the resident can type on at once
      send(payload, title);
    });
    return btn;
  }

  // entry: {who: "user" | "bot", text, buttons: [{title, payload}]}
  function render(entry) {
    const bot = entry.who === "bot";
    const box = el("div", "app-message " + (bot ? "app-message--bot" : "app-message--user"));
    box.appendChild(el("span", "nhsuk-u-visually-hidden", bot ? "The assistant said: " : "You said: "));
    if (bot) appendText(box, entry.text || "");
    else box.appendChild(el("p", null, entry.text || ""));
    const actions = (entry.buttons || []).map(actionFor).filter(Boolean);
    if (actions.length) {
      const group = el("div", "app-actions");
      actions.forEach((a) => group.appendChild(a));
      box.appendChild(group);
    }
    log.appendChild(box);
    return box;
  }

  function show(entry) {
    remember(entry);
    return render(entry);
  }

  // Bring the new messages into view: the whole of them with the message box when they fit,
  // otherwise the start of the first one (the reader reads down from there).
  function reveal(first) {
    if (!first) return;
    const top = first.getBoundingClientRect().top;
    const bottom = form.getBoundingClientRect().bottom;
    if (bottom - top <= window.innerHeight * 0.8) form.scrollIntoView({block: "end"});
    else first.scrollIntoView({block: "start"});
  }

  function botEntries(messages) {
    const entries = [];
    for (const m of Array.isArray(messages) ? messages : []) {
      if (!m || (typeof m.text !== "string" && !Array.isArray(m.buttons))) continue;
      const buttons = (Array.isArray(m.buttons) ? m.buttons : [])
        .filter((b) => b && typeof b === "object")
        .map((b) => ({title: String(b.title || ""), payload: String(b.payload || "")}));
      entries.push({who: "bot", text: typeof m.text === "string" ? m.text : "", buttons: buttons});
    }
    return entries;
  }

  async function ask(text) {
    try {
      const resp = await fetch(WEBHOOK, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({sender: sender, message: text}),
      });
      const entries = botEntries(await resp.json());
      return entries.length || resp.ok ? entries : [{who: "bot", text: UNAVAILABLE, buttons: []}];
    } catch (e) {
      return [{who: "bot", text: UNAVAILABLE, buttons: []}];
    }
  }

  // Messages go one at a time, so the answers come back in the order they were asked.
  let queue = Promise.resolve();
  let pending = 0;

  // Not aria-busy: a screen reader could then miss the answer. data-pending is for the tests.
  function busy(on) {
    pending += on ? 1 : -1;
    typing.hidden = pending === 0;
    log.dataset.pending = String(pending);
  }

  function send(payload, shown) {
    show({who: "user", text: shown || payload, buttons: []});
    busy(true);
    queue = queue.then(async () => {
      const entries = await ask(payload);
      let first = null;
      for (const entry of entries) {
        const box = show(entry);
        first = first || box;
      }
      busy(false);
      reveal(first);
    });
    return queue;
  }

  // --- a message that is too long: NHS.UK's error message pattern, tied to the message box
  // (aria-describedby, aria-invalid) and announced at once (role "alert"), since focus stays in
  // the box. The text stays where it is, for the resident to shorten.
  function characters(text) {
    return Array.from(text).length; // an emoji is one character, as the resident sees it
  }

  function tooLong(count) {
    const most = MAX_CHARS.toLocaleString("en-GB");
    return "That message is too long. Please keep it to " + most + " characters or fewer " +
      "(it has " + count.toLocaleString("en-GB") + "). In an emergency, call 999.";
  }

  function showError(text) {
    clearError(); // a new alert element, so that the same words are announced again
    const error = el("span", "nhsuk-error-message");
    error.id = ERROR_ID;
    error.setAttribute("role", "alert");
    error.appendChild(el("span", "nhsuk-u-visually-hidden", "Error:"));
    error.appendChild(document.createTextNode(" " + text));
    group.insertBefore(error, input);
    group.classList.add("nhsuk-form-group--error");
    input.classList.add("nhsuk-input--error");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", HINT_ID + " " + ERROR_ID);
  }

  function clearError() {
    const error = document.getElementById(ERROR_ID);
    if (!error) return;
    error.remove();
    group.classList.remove("nhsuk-form-group--error");
    input.classList.remove("nhsuk-input--error");
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", HINT_ID);
  }

  input.addEventListener("input", () => {
    if (characters(input.value.trim()) <= MAX_CHARS) clearError();
  });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    input.focus();
    if (!text) return;
    const count = characters(text);
    if (count > MAX_CHARS) {
      showError(tooLong(count));
      return;
    }
    clearError();
    input.value = "";
    send(text);
  });

  // A reload shows the conversation again. This runs while the page loads, before a screen
  // reader listens to the live region, so the old messages are not announced as new.
  transcript.forEach(render);
  log.dataset.pending = "0";
  if (transcript.length) reveal(log.lastElementChild);
})();
