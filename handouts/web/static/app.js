// Small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // The make form: refresh the preview when an option changes; show the booklet instruction.
  const form = document.querySelector("form[data-preview]");
  if (form) {
    const previewButton = form.querySelector("#preview-button");
    const layout = form.querySelector("#layout");
    const duplex = document.getElementById("duplex");
    const refresh = () => { if (previewButton) form.requestSubmit(previewButton); };
    form.querySelectorAll("select").forEach((el) => el.addEventListener("change", refresh));
    form.querySelectorAll("input[type=text], input:not([type]), textarea").forEach(
      (el) => el.addEventListener("change", refresh));
    const clinic = form.querySelector("#clinic");
    const reference = document.getElementById("reference-field");
    if (clinic && reference) {
      clinic.addEventListener("change", () => {
        reference.hidden = !reference.dataset.clinics.split(" ").includes(clinic.value);
      });
    }
    if (layout && duplex) {
      layout.addEventListener("change", () => {
        const option = layout.options[layout.selectedIndex];
        duplex.hidden = option.dataset.booklet !== "yes";
      });
    }
  }
  // A choice that shows other content (the kits of another clinic): no extra button needed.
  document.querySelectorAll("form[data-submit-on-change]").forEach((chooser) => {
    chooser.querySelectorAll("[data-without-script]").forEach((el) => { el.hidden = true; });
    chooser.querySelectorAll("select").forEach(
      (el) => el.addEventListener("change", () => chooser.requestSubmit()));
  });
  // A running print pack: poll its progress and update the page.
  const pack = document.querySelector("[data-pack-status]");
  if (pack) {
    const poll = async () => {
      const response = await fetch(pack.dataset.packStatus, {headers: {"Accept": "application/json"}});
      if (!response.ok) return;
      const state = await response.json();
      const bar = pack.querySelector("progress");
      const text = pack.querySelector("[data-pack-text]");
      if (bar) { bar.max = state.total || 1; bar.value = state.done; }
      if (text) text.textContent = state.message;
      if (state.finished) { window.location.reload(); } else { setTimeout(poll, 700); }
    };
    setTimeout(poll, 500);
  }
  // Colour fields: show the contrast against white as the administrator types.
  document.querySelectorAll("input[data-contrast]").forEach((input) => {
    const out = document.getElementById(input.dataset.contrast);
    const swatch = document.getElementById(input.id + "-swatch");
    const update = () => {
      const m = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i.exec(input.value.trim());
      if (!m) { out.textContent = "Not a colour yet: use a hex colour like #1F5A96."; return; }
      let hex = m[1]; if (hex.length === 3) hex = hex.split("").map((c) => c + c).join("");
      const channel = (i) => { const c = parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
      const lum = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
      const ratio = 1.05 / (lum + 0.05);
      const ok = ratio >= 4.5;
      out.textContent = `Contrast with white: ${ratio.toFixed(1)}:1, ${ok ? "readable" : "too pale for text (needs 4.5:1)"}`;
      if (swatch) swatch.style.background = "#" + hex;
    };
    input.addEventListener("input", update);
    update();
  });
});
