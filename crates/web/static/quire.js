// quire's only script: kudos without leaving the page. Every form works
// without it; this just spares a reload.
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
