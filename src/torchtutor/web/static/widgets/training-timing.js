// Training timing (anywidget format): one training step per width and batch size, CPU and (when there is one) GPU,
// with the epoch time on the CPU set against the 30-second rule of thumb.
import { h, ms, onData, setParam, table } from "./_kit.js";

export default {
  onDemand: true,   // training steps take seconds: nothing runs until the button is pressed
  render({ model, el }) {
    const error = h("p", { class: "error" });
    const go = h("button", { class: "primary", "data-action": "time" }, "Time a training step on this machine");
    const view = h("div", {}, h("p", { class: "ae-note" }, "Timing trains a few steps of each model, so it runs when you ask."));
    go.addEventListener("click", () => { view.replaceChildren("Timing…"); setParam(model, "repeats", model.get("params").repeats || 5); });
    el.append(h("div", {}, go), view, error);
    onData(model, (d) => {
      go.textContent = "Time again";
      const headers = ["width", "parameters", "batch", "CPU ms", d.gpu_available ? `GPU ms (${d.gpu_name})` : "GPU", "faster",
        `CPU epoch (${d.samples.toLocaleString()} samples)`];
      const rows = d.rows.map((r) => ({ cells: [r.width, r.parameters.toLocaleString(), r.batch, ms(r.cpu_ms), ms(r.gpu_ms),
        d.gpu_available ? (r.faster === "gpu" ? `GPU ×${r.gpu_speedup.toFixed(1)}` : "CPU") : "—",
        `${r.cpu_epoch_s.toFixed(1)} s${r.quick_on_cpu ? " (under 30 s)" : ""}`] }));
      view.replaceChildren(table(headers, rows), h("p", { class: d.gpu_available ? "" : "ae-note" }, d.note), h("p", {}, d.summary));
    }, error);
  },
};
