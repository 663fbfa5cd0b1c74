// quire's only script. Every page works without it; it spares a reload
// when giving kudos, offers tags as you type, and previews "Read as…".
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("kudos-form")) return;
  event.preventDefault();
  const button = form.querySelector("button");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "text/html" },
      redirect: "follow",
    });
    if (!response.ok) throw new Error(String(response.status));
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("kudos");
    const current = document.getElementById("kudos");
    if (fresh && current) current.replaceWith(fresh);
    const flash = page.querySelector(".flash");
    if (flash && button) button.replaceWith(Object.assign(document.createElement("span"), { textContent: flash.textContent, role: "status" }));
  } catch (err) {
    form.submit();
  }
});

// Tag fields offer canonical tags as you type (the form works the same
// without this: tags are wrangled later).
for (const field of document.querySelectorAll("input[data-suggest]")) {
  const list = document.getElementById(field.getAttribute("list"));
  if (!list) continue;
  let timer;
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const typed = field.value;
      const cut = typed.lastIndexOf(",");
      const before = cut < 0 ? "" : typed.slice(0, cut + 1) + " ";
      const last = typed.slice(cut + 1).trim();
      if (last.length < 2) return;
      const url = `/api/v1/tags/suggest?kind=${encodeURIComponent(field.dataset.suggest)}&q=${encodeURIComponent(last)}`;
      try {
        const response = await fetch(url);
        if (!response.ok) return;
        const { suggestions } = await response.json();
        list.replaceChildren(...suggestions.map((name) => Object.assign(document.createElement("option"), { value: before + name })));
      } catch (err) {
        // Suggestions are a help, never a need.
      }
    }, 150);
  });
}

// "Read as…": the names typed show in the text at once; saving the form
// keeps them (and the page without this script fills them the same way).
for (const field of document.querySelectorAll(".read-as input[data-code]")) {
  field.addEventListener("input", () => {
    const code = field.dataset.code;
    const typed = field.value.trim();
    for (const mark of document.querySelectorAll("span.reader-insert")) {
      if (mark.dataset.code !== code) continue;
      const shown = typed || code;
      mark.textContent = typed && mark.hasAttribute("data-capital") ? shown.charAt(0).toUpperCase() + shown.slice(1) : shown;
    }
  });
}
