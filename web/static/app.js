// liverline quick reference: makes the plain search form answer as you
// type, and adds Copy and Print. Without this script the page still works:
// the form is a GET to /?q=, topics are links.
(() => {
  "use strict";
  const form = document.getElementById("search");
  const box = document.getElementById("q");
  const answer = document.getElementById("answer");
  const status = document.getElementById("status");
  if (!form || !box || !answer) return;
  const WAIT_MS = 80;
  let timer = 0;
  let seq = 0;
  let inflight = null;

  function address(q) {
    return q.trim() ? "/?q=" + encodeURIComponent(q) : "/";
  }

  async function copy(article) {
    const text = article.querySelector(".plain").textContent;
    const done = article.querySelector(".done");
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      // No clipboard API (plain http on an intranet name): the old way.
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    done.textContent = "Copied: the answer, source and footer.";
  }

  function wire() {
    const article = answer.querySelector("article.reply");
    if (!article) return;
    article.querySelector(".actions").hidden = false;
    article.querySelector(".copy").addEventListener("click", () => copy(article));
    article.querySelector(".print").addEventListener("click", () => window.print());
  }

  async function ask(q) {
    const mine = ++seq;
    if (inflight) inflight.abort();
    inflight = new AbortController();
    const url = q.trim() ? "/fragment?q=" + encodeURIComponent(q) : "/fragment";
    try {
      const res = await fetch(url, { signal: inflight.signal });
      if (!res.ok) {
        if (mine === seq) status.textContent = res.status === 429 ? "Busy: wait a second." : "No answer: try again.";
        return false;
      }
      const html = await res.text();
      if (mine !== seq) return false;
      const doc = new DOMParser().parseFromString(html, "text/html");
      answer.replaceChildren(...doc.body.childNodes);
      history.replaceState(null, "", address(q));
      // The title and the screen reader's status line: the topic's title,
      // or (no passage: an emergency, a question back) the reply's first words.
      const heading = answer.querySelector("h2");
      const titled = heading && !heading.classList.contains("sr-only");
      const lead = answer.querySelector(".lead p");
      document.title = (titled && answer.querySelector("article.reply") ? heading.textContent : "Quick reference") + " · liverline";
      // An emergency's lead is an alert: read once, by the alert itself.
      const alarm = answer.querySelector(".alarm");
      status.textContent = titled ? heading.textContent : (lead && !alarm ? lead.textContent : "");
      wire();
      return true;
    } catch (e) {
      if (e.name !== "AbortError" && mine === seq) status.textContent = "The server cannot be reached.";
      return false;
    }
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => ask(box.value), WAIT_MS);
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    await ask(box.value);
    answer.focus();
  });
  document.addEventListener("keydown", (ev) => {
    const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
    if (ev.key === "/" && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      ev.preventDefault();
      box.focus();
      box.select();
    } else if (ev.key === "Escape" && ev.target === box && box.value) {
      box.value = "";
      ask("");
    }
  });
  wire();
  if (!box.value && !answer.querySelector("article.reply")) box.focus();
})();
