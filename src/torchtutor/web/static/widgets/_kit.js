// Helpers shared by the widget modules. A notebook host gets each widget as one
// self-contained module (torchtutor.web.widget_esm inlines this file).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== false && v !== null && v !== undefined) el.setAttribute(k, v === true ? "" : v);
  for (const c of children) if (c !== "" && c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}
export function num(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  const v = Number(value) + 0;
  if (v === 0) return "0";
  if (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6) return v.toExponential(digits - 1).replace("e", "e");
  return Number(v.toPrecision(digits)).toString();
}
export function ms(value) {
  if (value === null || value === undefined) return "—";
  return value < 1 ? value.toFixed(3) : value.toFixed(1);
}
export function table(headers, rows, attrs = {}) {
  return h("table", attrs, h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", {}, x)))),
    h("tbody", {}, ...rows.map((r) => h("tr", r.attrs || {}, ...r.cells.map((c) => (c instanceof Node ? h("td", {}, c) : h("td", {}, String(c))))))));
}
export function onData(model, draw, errorBox) {
  model.on("change:data", () => model.get("data") && draw(model.get("data")));
  model.on("change:error", () => { errorBox.textContent = model.get("error") || ""; });
}
export function setParam(model, key, value) {
  model.set("params", { ...model.get("params"), [key]: value });
  model.save_changes();
}
