// Linear collapse (anywidget format): two stacked nn.Linear layers equal one; a ReLU breaks it.
import { h, num, onData, setParam } from "./_kit.js";

export default {
  render({ model, el }) {
    const error = h("p", { class: "error" });
    const p = model.get("params");
    const sizes = h("input", { value: (p.sizes || [4, 8, 3]).join(", "), size: 10, "data-param": "sizes", "aria-label": "sizes in, hidden, out" });
    const seed = h("input", { type: "number", value: p.seed ?? 0, min: 0, style: "width:5rem", "data-param": "seed", "aria-label": "seed" });
    sizes.addEventListener("change", () => setParam(model, "sizes", sizes.value.split(/[ ,x]+/).filter(Boolean).map(Number)));
    seed.addEventListener("change", () => setParam(model, "seed", Number(seed.value)));
    const view = h("div");
    el.append(h("div", { class: "lc-controls" }, h("label", {}, "sizes (in, hidden, out) ", sizes), " ", h("label", {}, "seed ", seed)), view, error);
    onData(model, (d) => {
      const s = d.shapes, shape = (x) => "[" + x.join(", ") + "]";
      view.replaceChildren(
        h("p", {}, `Linear(${d.sizes[0]}, ${d.sizes[1]}) → Linear(${d.sizes[1]}, ${d.sizes[2]}): W1 ${shape(s.W1)}, W2 ${shape(s.W2)}, so W_eff = W2 @ W1 is ${shape(s.W_eff)} and b_eff = W2 @ b1 + b2 is ${shape(s.b_eff)}.`),
        h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "network"), h("th", {}, "max |stack − one layer|"), h("th", {}, "one layer?"))),
          h("tbody", {},
            h("tr", {}, h("td", {}, "Linear → Linear"), h("td", { "data-diff": "plain" }, num(d.without_relu.max_abs_diff, 2)), h("td", { class: d.without_relu.matches ? "ok" : "bad" }, d.without_relu.matches ? "✓ yes: it collapsed" : "no")),
            h("tr", {}, h("td", {}, "Linear → ReLU → Linear"), h("td", { "data-diff": "relu" }, num(d.with_relu.max_abs_diff, 3)), h("td", { class: d.with_relu.matches ? "bad" : "ok" }, d.with_relu.matches ? "yes (this draw missed ReLU's kink)" : "✗ no: the ReLU breaks it")))),
        h("p", {}, `The stack has ${d.parameters.stack} parameters; without an activation it computes what one layer with ${d.parameters.single_layer} can.`),
        h("p", { class: "ok" }, d.summary));
    }, error);
  },
};
