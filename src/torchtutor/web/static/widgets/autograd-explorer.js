// AutogradExplorer (anywidget format): the course's two-layer network, backpropagated by
// hand one node at a time (incoming × local = outgoing) and by loss.backward().
// Numbers come from torchtutor.widgets.autograd_explorer, the same as `torchtutor widget autograd-explorer`.
import { h, num, onData, setParam } from "./_kit.js";

const SLIDERS = [["x", "input x"], ["y", "target y"], ["w1", "w1"], ["b1", "b1"], ["w2", "w2"], ["b2", "b2"]];
const PARAMS = ["w1", "b1", "w2", "b2"];
// where each backward step lands in the picture
const NODE_OF = { "dL/dloss": "loss", "dL/dy_hat": "y_hat", "dL/dw2": "w2", "dL/db2": "b2", "dL/dh": "h", "dL/dh_pre": "h_pre", "dL/dw1": "w1", "dL/db1": "b1" };
const LAYOUT = { x: [50, 118], h_pre: [200, 118], h: [340, 118], y_hat: [480, 118], loss: [630, 118], w1: [140, 38], b1: [250, 38], w2: [430, 38], b2: [535, 38] };
const EDGES = [["x", "h_pre"], ["w1", "h_pre"], ["b1", "h_pre"], ["h_pre", "h"], ["h", "y_hat"], ["w2", "y_hat"], ["b2", "y_hat"], ["y_hat", "loss"]];
const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

function picture(d, shown) {
  const svg = s("svg", { viewBox: "0 0 680 170", class: "ae-graph", role: "img", "aria-label": "the network as a graph" });
  const value = { x: d.inputs.x, w1: d.inputs.w1, b1: d.inputs.b1, w2: d.inputs.w2, b2: d.inputs.b2, h_pre: d.forward.h_pre, h: d.forward.h, y_hat: d.forward.y_hat, loss: d.forward.loss };
  const grads = {};
  for (const step of shown) grads[NODE_OF[step.name]] = step.outgoing;
  for (const [a, b] of EDGES) {
    const [x1, y1] = LAYOUT[a], [x2, y2] = LAYOUT[b];
    svg.append(s("line", { x1, y1, x2, y2, stroke: "#94a3b8", "stroke-width": 1.5 }));
  }
  const current = shown.length ? NODE_OF[shown[shown.length - 1].name] : null;
  for (const [name, [cx, cy]] of Object.entries(LAYOUT)) {
    const param = PARAMS.includes(name);
    const fill = name === current ? "#fde68a" : param ? "#e9d5ff" : "#e2e8f0";
    svg.append(s("rect", { x: cx - 40, y: cy - 18, width: 80, height: 36, rx: 9, fill, stroke: param ? "#7c3aed" : "#475569" }));
    svg.append(s("text", { x: cx, y: cy - 3, "text-anchor": "middle", "font-size": 11, "font-weight": 600 }, name));
    svg.append(s("text", { x: cx, y: cy + 11, "text-anchor": "middle", "font-size": 10 }, num(value[name])));
    if (name in grads) svg.append(s("text", { x: cx, y: cy + (param ? -24 : 33), "text-anchor": "middle", "font-size": 10, fill: "#b91c1c", "font-weight": 600 }, "∂L=" + num(grads[name])));
  }
  return svg;
}

export default {
  render({ model, el }) {
    let step = 0;            // how many backward steps are shown in manual mode
    let ran = false;         // autograd mode: backward() clicked
    let mode = model.get("params").mode || "manual";
    const error = h("p", { class: "error" });
    const sliders = h("div", { class: "ae-sliders" });
    for (const [key, label] of SLIDERS) {
      const value = h("output", { "data-value": key }, num(model.get("params")[key]));
      const input = h("input", { type: "range", min: -3, max: 3, step: 0.05, value: model.get("params")[key], "data-param": key, "aria-label": label });
      input.addEventListener("input", () => { value.textContent = num(input.value); setParam(model, key, Number(input.value)); });
      sliders.append(h("label", {}, h("span", {}, label), input, value));
    }
    const tabs = h("div", { class: "ae-tabs" });
    const modes = { manual: "Manual: step through the chain rule", autograd: "Autograd: one backward() call" };
    for (const [key, label] of Object.entries(modes)) {
      const b = h("button", { "data-mode": key }, label);
      b.addEventListener("click", () => { mode = key; draw(model.get("data")); });
      tabs.append(b);
    }
    const view = h("div", { class: "ae-view" });
    el.append(h("style", {}, STYLE), sliders, tabs, view, error);

    function draw(d) {
      if (!d) return;
      tabs.querySelectorAll("button").forEach((b) => b.classList.toggle("on", b.dataset.mode === mode));
      const f = d.forward, v = d.inputs;
      const forward = h("div", { class: "ae-forward" },
        h("div", {}, `h_pre = w1·x + b1 = ${num(v.w1)} × ${num(v.x)} + ${num(v.b1)} = ${num(f.h_pre)}`),
        h("div", {}, `h = relu(h_pre) = ${num(f.h)}`),
        h("div", {}, `y_hat = w2·h + b2 = ${num(v.w2)} × ${num(f.h)} + ${num(v.b2)} = ${num(f.y_hat)}`),
        h("div", {}, `loss = (y_hat − y)² = (${num(f.y_hat)} − ${num(v.y)})² = `, h("b", { "data-loss": "" }, num(f.loss))));
      const parts = [forward];
      if (mode === "manual") {
        step = Math.min(step, d.steps.length);
        const shown = d.steps.slice(0, step);
        const controls = h("div", { class: "ae-controls" });
        const add = (label, action, attrs = {}) => { const b = h("button", attrs, label); b.addEventListener("click", () => { action(); draw(model.get("data")); }); controls.append(b); };
        add("◀ Back", () => { step = Math.max(0, step - 1); }, { "data-action": "back" });
        add("Next step ▶", () => { step = Math.min(d.steps.length, step + 1); }, { "data-action": "next", class: "primary" });
        add("All steps", () => { step = d.steps.length; }, { "data-action": "all" });
        add("Reset", () => { step = 0; }, { "data-action": "reset" });
        controls.append(h("span", { class: "ae-count" }, `step ${step} of ${d.steps.length}`));
        const rows = shown.map((st) => {
          const param = st.name.slice(4);
          const torch = PARAMS.includes(param) ? h("span", { class: d.matches[param] ? "ok" : "bad", "data-torch": param }, (d.matches[param] ? "✓ " : "✗ ") + num(d.autograd[param])) : "";
          const maths = st.incoming_name === "start" ? `= ${num(st.outgoing)} (start here)` : `${num(st.incoming)} × ${num(st.local)} = ${num(st.outgoing)}`;
          return h("tr", { "data-step": st.name }, h("td", {}, h("b", {}, st.name)), h("td", { class: "maths", "data-manual": PARAMS.includes(param) ? param : null }, maths), h("td", { class: "local" }, `${st.incoming_name} × ${st.local_name}`), h("td", {}, torch));
        });
        const last = shown[shown.length - 1];
        parts.push(picture(d, shown), controls,
          h("table", { class: "ae-steps" }, h("thead", {}, h("tr", {}, h("th", {}, "gradient"), h("th", {}, "incoming × local = outgoing"), h("th", {}, "which factors"), h("th", {}, "backward() says"))), h("tbody", {}, ...rows)),
          last && last.note ? h("p", { class: "ae-note" }, last.note) : "");
      } else {
        const code = h("pre", { class: "ae-code" }, d.code);
        const run = h("button", { class: "primary", "data-action": "backward" }, ran ? "backward() ran: every .grad is filled" : "Run loss.backward()");
        run.addEventListener("click", () => { ran = true; draw(model.get("data")); });
        parts.push(code, run);
        if (ran) {
          parts.push(h("table", { class: "ae-grads" }, h("thead", {}, h("tr", {}, h("th", {}, "parameter"), h("th", {}, ".grad from backward()"), h("th", {}, "by hand (chain rule)"), h("th", {}, "agree?"))),
            h("tbody", {}, ...PARAMS.map((p) => h("tr", {}, h("td", {}, p), h("td", { "data-torch": p }, num(d.autograd[p])), h("td", { "data-manual": p }, num(d.manual[p])), h("td", { class: d.matches[p] ? "ok" : "bad" }, d.matches[p] ? "✓" : "✗"))))));
        }
      }
      parts.push(h("p", { class: d.all_match ? "ae-summary ok" : "ae-summary bad", "data-all-match": String(d.all_match) }, d.summary));
      // for tests and for readers who want all numbers at once: both gradient sets, always
      parts.push(h("details", { class: "ae-both" }, h("summary", {}, "All four gradients, both ways"),
        h("table", {}, h("tbody", {}, ...PARAMS.map((p) => h("tr", {}, h("td", {}, p), h("td", { "data-grad-manual": p }, String(d.manual[p])), h("td", { "data-grad-torch": p }, String(d.autograd[p]))))))));
      view.replaceChildren(...parts);
    }
    onData(model, draw, error);
    return () => el.replaceChildren();
  },
};

const STYLE = `
.ae-sliders{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.3rem 1rem;margin:.4rem 0 .8rem}
.ae-sliders label{display:flex;align-items:center;gap:.4rem;font-size:.85rem}.ae-sliders span{width:3.6rem;color:#475569}
.ae-sliders input{flex:1;min-width:4rem}.ae-sliders output{width:3rem;text-align:right;font-variant-numeric:tabular-nums}
.ae-tabs{display:flex;gap:.4rem;margin:.4rem 0}.ae-tabs button.on{background:#0f172a;color:#fff;border-color:#0f172a}
.ae-forward{font:.82rem ui-monospace,monospace;background:#f8fafc;border-radius:8px;padding:.5rem .8rem;margin:.5rem 0}
.ae-graph{width:100%;max-width:680px;display:block;margin:.4rem auto}
.ae-controls{display:flex;gap:.4rem;align-items:center;margin:.4rem 0}.ae-count{color:#64748b;font-size:.82rem}
.ae-steps td.maths{font:.85rem ui-monospace,monospace}.ae-steps td.local{font-size:.78rem;color:#64748b}
.ae-code{font-size:.8rem;background:#f8fafc;padding:.5rem;border-radius:8px;overflow-x:auto}
.ok{color:#15803d}.bad{color:#b91c1c}.ae-summary{font-weight:600}.ae-note{color:#b45309;font-size:.9rem}
.ae-both{font-size:.8rem;color:#64748b}`;
