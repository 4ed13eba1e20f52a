// The compose page's live count: when the segment choices change, ask the console how many residents they reach
// (the console builds the segment from the same fields the form posts).
(function () {
  "use strict";
  const form = document.getElementById("broadcast-form");
  const shown = document.getElementById("live-reach");
  if (!form || !shown || !window.fetch) return;
  const FIELDS = ["areas", "categories", "stages", "age_from", "age_to", "advanced"];

  let timer = null;
  function update() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (FIELDS.includes(name)) query.append(name, value);
      }
      fetch(form.dataset.reachUrl + "?" + query, { credentials: "same-origin" })
        .then((response) => response.json())
        .then(function (answer) {
          shown.textContent = "";
          if (answer.error) { shown.textContent = answer.error; return; }
          const code = document.createElement("code");
          code.textContent = answer.segment;
          const strong = document.createElement("strong");
          strong.textContent = String(answer.reach);
          shown.append("配信先 ", code, "：", strong, "人");
        })
        .catch(function () { shown.textContent = ""; });
    }, 250);
  }
  form.addEventListener("change", update);
  form.elements.advanced.addEventListener("input", update);
  update();
})();
