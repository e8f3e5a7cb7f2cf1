// Device timing (anywidget format): one operation on the CPU and, when there is one, the GPU.
import { h, ms, onData, setParam } from "./_kit.js";

export default {
  onDemand: true,   // the web reader does not time anything until the button is pressed
  render({ model, el }) {
    const error = h("p", { class: "error" });
    const op = h("select", { "data-param": "op", "aria-label": "operation" }, h("option", { value: "add" }, "a * b + a"), h("option", { value: "matmul" }, "a @ b"));
    op.value = model.get("params").op || "add";
    op.addEventListener("change", () => setParam(model, "op", op.value));
    const again = h("button", { class: "primary", "data-action": "time" }, "Time it on this machine");
    const view = h("div", {}, h("p", { class: "ae-note" }, "Timing takes a second or two, so it runs when you ask."));
    again.addEventListener("click", () => { view.replaceChildren("Timing…"); setParam(model, "repeats", model.get("params").repeats || 5); });
    el.append(h("div", {}, h("label", {}, "operation ", op), " ", again), view, error);
    onData(model, (d) => {
      again.textContent = "Time again";
      const most = Math.max(...d.rows.map((r) => Math.max(r.cpu_ms, r.gpu_total_ms || 0)));
      const bar = (v, colour) => v === null ? "—" : h("span", {}, h("span", { style: `display:inline-block;height:.55rem;width:${Math.max(2, 120 * Math.log10(1 + 9 * v / most))}px;background:${colour};border-radius:3px;margin-right:.3rem` }), ms(v));
      const rows = d.rows.map((r) => h("tr", {}, h("td", {}, r.size.toLocaleString()), h("td", {}, r.shape.join("×")), h("td", {}, bar(r.cpu_ms, "#64748b")),
        h("td", {}, d.gpu_available ? bar(r.gpu_total_ms, "#16a34a") : "—"), h("td", {}, d.gpu_available ? (r.faster === "gpu" ? "GPU" : "CPU") : "—")));
      view.replaceChildren(h("table", {}, h("thead", {}, h("tr", {}, ...["elements", "shape", `CPU ms (${d.cpu_threads} threads)`, d.gpu_available ? `GPU total ms (${d.gpu_name})` : "GPU", "faster"].map((x) => h("th", {}, x)))), h("tbody", {}, ...rows)),
        h("p", { class: d.gpu_available ? "" : "ae-note" }, d.note), h("p", {}, d.summary));
    }, error);
  },
};
