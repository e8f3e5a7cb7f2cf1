// Softmax explorer (anywidget format): type logits and the correct class; see softmax, -log(p_correct)
// against nn.CrossEntropyLoss, the gradient p - one_hot, and what a softmax before the loss costs.
import { h, num, onData, setParam } from "./_kit.js";

const PRESETS = [
  ["the lesson's row", "2,1,0.1", 0],
  ["confidently wrong", "0.1,5,0.1", 0],
  ["two classes", "1.5,-0.5", 0],
  ["knows nothing (10 classes)", "0,0,0,0,0,0,0,0,0,0", 3],
];

export default {
  render({ model, el }) {
    const error = h("p", { class: "error" });
    const params = model.get("params") || {};
    const logits = h("input", { value: (params.logits ?? [2, 1, 0.1]).toString(), size: 24, "data-param": "logits", "aria-label": "logits, separated by commas" });
    const target = h("input", { value: params.target ?? 0, size: 3, type: "number", min: 0, "data-param": "target", "aria-label": "correct class" });
    logits.addEventListener("change", () => setParam(model, "logits", logits.value));
    target.addEventListener("change", () => setParam(model, "target", target.value));
    const presets = PRESETS.map(([label, z, t]) => {
      const b = h("button", {}, label);
      b.addEventListener("click", () => {
        logits.value = z; target.value = t;
        model.set("params", { ...model.get("params"), logits: z, target: t });
        model.save_changes();
      });
      return b;
    });
    const view = h("div");
    el.append(h("div", { class: "sx-controls" }, h("label", {}, "logits: ", logits), " ", h("label", {}, "correct class: ", target)),
      h("div", { class: "sx-presets" }, ...presets), view, error);
    onData(model, (d) => {
      const rows = d.logits.map((z, i) => {
        const mark = i === d.target ? " ← correct" : i === d.predicted ? " ← predicted" : "";
        const p = d.probabilities[i];
        return h("tr", { class: i === d.target ? "sx-target" : "" }, h("td", {}, String(i) + mark), h("td", {}, num(z)),
          h("td", {}, h("span", { class: "sx-bar", style: `width:${Math.max(1, Math.round(100 * p))}%` }), " ", num(p)),
          h("td", {}, num(d.gradient[i])));
      });
      const facts = [
        ["cross-entropy, -log(p_correct)", `${num(d.loss)} (nn.CrossEntropyLoss: ${num(d.torch_loss)})`],
        [`knowing nothing, log(${d.classes})`, num(d.uniform_loss)],
        ["softmax before the loss (the slip)", `${num(d.softmax_first.loss)}, never below ${num(d.softmax_first.floor)}`],
      ];
      if (d.sigmoid) facts.push(["two classes: p of class 0", `${num(d.sigmoid.p_first)} = sigmoid(z0 - z1) = ${num(d.sigmoid.sigmoid_of_gap)}`]);
      view.replaceChildren(
        h("table", {}, h("thead", {}, h("tr", {}, ...["class", "logit", "softmax p", "dL/dlogit = p - one_hot"].map((x) => h("th", {}, x)))), h("tbody", {}, ...rows)),
        h("table", { class: "sx-facts" }, h("tbody", {}, ...facts.map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", { "data-fact": k }, v))))),
        h("p", {}, d.summary),
        h("style", {}, ".sx-bar{display:inline-block;height:.5rem;background:#93c5fd;border-radius:3px;vertical-align:middle;max-width:8rem}.sx-target td{font-weight:600}.sx-presets button{margin:.2rem .3rem .2rem 0}"));
    }, error);
  },
};
