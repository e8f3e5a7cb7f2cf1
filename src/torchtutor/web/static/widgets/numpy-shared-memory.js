// NumPy shared memory (anywidget format): from_numpy() and .numpy() share memory, torch.tensor() copies.
import { h, num, onData } from "./_kit.js";

export default {
  render({ model, el }) {
    const error = h("p", { class: "error" });
    const view = h("div", { class: "nsm" });
    el.append(view, error);
    onData(model, (d) => {
      const list = (xs) => "[" + xs.map((x) => num(x)).join(", ") + "]";
      const cards = d.cases.map((c) => {
        const other = c.changed_side === "numpy" ? "tensor" : "numpy";
        const side = (name) => h("div", { class: "nsm-side" + (name === other && c.other_side_changed ? " surprised" : "") },
          h("div", { class: "nsm-label" }, name === "numpy" ? "NumPy array a" : "tensor t"), h("code", {}, list(c.before[name])), " → ", h("code", {}, list(c.after[name])));
        return h("div", { class: "nsm-case", "data-call": c.call }, h("pre", {}, c.code), side("numpy"), side("tensor"),
          h("div", { class: c.shares_memory ? "bad" : "ok" }, c.shares_memory ? "shares memory: the other side changed too" : "a copy: the other side kept its values"));
      });
      view.replaceChildren(h("div", { class: "nsm-grid" }, ...cards), h("p", {}, d.summary), h("p", { class: "ok" }, d.fix),
        h("style", {}, ".nsm-grid{display:grid;grid-template-columns:repeat(3,1fr);gap:.6rem}.nsm-case{border:1px solid #e2e8f0;border-radius:8px;padding:.5rem;font-size:.85rem}.nsm-case pre{font-size:.75rem;background:#f8fafc;padding:.3rem;margin:0 0 .3rem}.nsm-side{margin:.2rem 0}.nsm-side.surprised code{background:#fee2e2;color:#991b1b}.nsm-label{font-size:.72rem;color:#64748b}"));
    }, error);
  },
};
