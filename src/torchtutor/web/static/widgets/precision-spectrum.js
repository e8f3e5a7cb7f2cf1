// Precision spectrum (anywidget format): float64 → float32 → bfloat16 → float16, and what a value becomes.
import { h, num, onData, setParam } from "./_kit.js";

export default {
  render({ model, el }) {
    const error = h("p", { class: "error" });
    const input = h("input", { value: model.get("params").value ?? 1e-8, size: 12, "data-param": "value", "aria-label": "value to store" });
    const presets = [1e-8, 3.14159265358979, 70000, 1e-5].map((v) => {
      const b = h("button", {}, String(v)); b.addEventListener("click", () => { input.value = v; setParam(model, "value", v); }); return b;
    });
    input.addEventListener("change", () => setParam(model, "value", input.value));
    const view = h("div");
    el.append(h("div", { class: "ps-controls" }, h("label", {}, "store this number: ", input), " ", ...presets), view, error);
    onData(model, (d) => {
      const maxEps = Math.log10(d.rows[d.rows.length - 1].eps);
      const rows = d.rows.map((r) => {
        const width = Math.max(4, Math.round(100 * (Math.log10(r.eps) / maxEps)));
        const bad = r.underflows || r.overflows;
        return h("tr", {}, h("td", {}, h("b", {}, r.dtype)), h("td", {}, r.like), h("td", {}, String(r.bytes)),
          h("td", {}, h("span", { class: "ps-bar", style: `width:${width}%` }), " ", num(r.eps, 3)), h("td", {}, String(r.decimal_digits)), h("td", {}, num(r.max, 5)),
          h("td", { class: bad ? "bad" : "", "data-stored": r.dtype }, num(r.stored, 6) + (r.underflows ? " (underflow)" : r.overflows ? " (overflow)" : "")));
      });
      view.replaceChildren(h("table", {}, h("thead", {}, h("tr", {}, ...["dtype", "like a", "bytes", "eps (gap after 1)", "digits", "largest", `${num(d.value)} stored as`].map((x) => h("th", {}, x)))), h("tbody", {}, ...rows)),
        h("p", {}, d.summary), h("style", {}, ".ps-bar{display:inline-block;height:.5rem;background:#93c5fd;border-radius:3px;vertical-align:middle;max-width:6rem}"));
    }, error);
  },
};
