// A small REST client for Rasa: one sender id per browser tab session.
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("send");
  const input = document.getElementById("message");
  let sender = sessionStorage.getItem("sender");
  if (!sender) {
    sender = crypto.randomUUID();
    sessionStorage.setItem("sender", sender);
  }

  function add(text, who) {
    const li = document.createElement("li");
    li.className = who;
    li.textContent = text;
    log.appendChild(li);
    return li;
  }

  async function send(text, shown) {
    add(shown || text, "user");
    const resp = await fetch("/webhooks/rest/webhook", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sender: sender, message: text}),
    });
    const messages = await resp.json();
    for (const m of messages) {
      const li = add(m.text || "", "bot");
      for (const b of m.buttons || []) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.title;
        btn.addEventListener("click", () => send(b.payload, b.title));
        li.appendChild(document.createElement("br"));
        li.appendChild(btn);
      }
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (text) { input.value = ""; send(text); }
  });
})();
