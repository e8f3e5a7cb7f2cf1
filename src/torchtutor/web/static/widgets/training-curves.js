// Training curves (anywidget format): a real MLP trains on the MNIST / Fashion-MNIST sample and its loss
// and accuracy curves grow as the snapshots arrive. Change a setting or plant a bug, train again, and the
// previous run stays drawn in grey to compare against.
import { h, num, onData } from "./_kit.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 330, H = 230, PAD = { l: 40, r: 12, t: 24, b: 34 };
const BLUE = "#2563eb", ORANGE = "#ea580c", GREY = "#a1a1aa";

const CHOICES = {
  dataset: [["mnist", "MNIST digits"], ["fashion-mnist", "Fashion-MNIST"]],
  optimizer: [["adam", "Adam"], ["sgd", "SGD"]],
  lr: [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1].map((v) => [v, String(v)]),
  batch: [8, 16, 32, 64, 128, 256, 512].map((v) => [v, String(v)]),
  hidden: [16, 32, 64, 128, 256, 512].map((v) => [v, String(v)]),
  dropout: [0, 0.2, 0.5].map((v) => [v, String(v)]),
  steps: [100, 300, 600, 1000].map((v) => [v, String(v)]),
  bug: [["none", "none"], ["no-zero-grad", "forget optimizer.zero_grad()"], ["softmax-before-loss", "softmax before the loss"],
    ["raw-pixels", "raw pixels (not normalised)"], ["no-eval", "evaluate without model.eval()"]],
};
const LABELS = { dataset: "data", optimizer: "optimizer", lr: "learning rate", batch: "batch", hidden: "hidden units",
  dropout: "dropout", steps: "steps", bug: "bug" };
const PRESETS = [
  ["SGD at Adam's learning rate", { optimizer: "sgd", lr: 0.001, bug: "none" }],
  ["SGD, lr 0.1", { optimizer: "sgd", lr: 0.1, bug: "none" }],
  ["Adam, lr far too large", { optimizer: "adam", lr: 0.1, bug: "none" }],
  ["forget zero_grad()", { optimizer: "adam", lr: 0.001, bug: "no-zero-grad" }],
  ["softmax before the loss", { optimizer: "adam", lr: 0.001, bug: "softmax-before-loss" }],
  ["dropout 0.5, no model.eval()", { optimizer: "adam", lr: 0.001, dropout: 0.5, bug: "no-eval" }],
];

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, v);
  for (const c of children) el.append(c);
  return el;
}
const pct = (v) => (v === null || v === undefined ? "—" : (100 * v).toFixed(1) + "%");
const loss4 = (v) => (v === null || v === undefined ? "—" : v.toFixed(4));
const EVAL_EVERY = { 100: 10, 300: 25, 600: 50, 1000: 50 };   // about a dozen to twenty measurements a run
const evalEvery = (steps) => EVAL_EVERY[steps] || Math.max(1, Math.round(steps / 12));

function chart(title, yTop, yFormat, ticks, steps) {
  const x = (step) => PAD.l + (W - PAD.l - PAD.r) * (step / Math.max(1, steps));
  const y = (v) => PAD.t + (H - PAD.t - PAD.b) * (1 - Math.min(v, yTop) / yTop);
  const root = s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: "tc-chart", role: "img", "aria-label": title });
  for (const t of ticks) {
    root.append(s("line", { x1: PAD.l, x2: W - PAD.r, y1: y(t), y2: y(t), stroke: "#e5e7eb" }),
      s("text", { x: PAD.l - 5, y: y(t) + 4, "text-anchor": "end", class: "tc-tick" }, yFormat(t)));
  }
  for (const t of [0, Math.round(steps / 2), steps]) {
    root.append(s("text", { x: x(t), y: H - PAD.b + 15, "text-anchor": "middle", class: "tc-tick" }, String(t)));
  }
  root.append(s("line", { x1: PAD.l, x2: PAD.l, y1: PAD.t, y2: H - PAD.b, stroke: "#94a3b8" }),
    s("line", { x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b, stroke: "#94a3b8" }),
    s("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 4, "text-anchor": "middle", class: "tc-axis" }, "training step"),
    s("text", { x: 4, y: 13, class: "tc-axis tc-title" }, title));
  const line = (points, colour, attrs = {}) => {
    const d = points.filter(([, v]) => v !== null && v !== undefined).map(([st, v], i) => `${i ? "L" : "M"}${x(st).toFixed(1)},${y(v).toFixed(1)}`).join("");
    if (d) root.append(s("path", { d, fill: "none", stroke: colour, "stroke-width": 1.6, ...attrs }));
  };
  const dots = (points, colour, attrs) => points.forEach(([st, v, extra]) => v !== null && v !== undefined &&
    root.append(s("circle", { cx: x(st).toFixed(1), cy: y(v).toFixed(1), r: 3, fill: colour, ...attrs(extra) })));
  return { root, line, dots };
}

export default {
  onDemand: true,   // a training run takes seconds: nothing trains until the button is pressed
  render({ model, el }) {
    const error = h("p", { class: "error" });
    const params = { ...(model.get("params") || {}) };
    const selects = {};
    for (const [key, options] of Object.entries(CHOICES)) {
      const select = h("select", { "data-param": key, "aria-label": LABELS[key] }, ...options.map(([v, label]) => h("option", { value: String(v) }, label)));
      select.value = String(params[key] ?? options[0][0]);
      selects[key] = select;
    }
    const chosen = () => {
      const p = { ...model.get("params") };
      for (const [key, select] of Object.entries(selects)) p[key] = ["dataset", "optimizer", "bug"].includes(key) ? select.value : Number(select.value);
      p.eval_every = evalEvery(p.steps);
      return p;
    };
    let ghost = null, last = null;
    const train = () => {
      const p = chosen();
      if (last && last.done) ghost = last;
      view.dataset.updates = "0";
      status.textContent = "Starting…";
      const same = JSON.stringify(p) === JSON.stringify(model.get("params"));
      if (same) model.send({ type: "run" });
      else { model.set("params", p); model.save_changes(); }
    };
    const go = h("button", { class: "primary", "data-action": "train" }, "Train");
    go.addEventListener("click", train);
    const presets = PRESETS.map(([label, p]) => {
      const b = h("button", { "data-preset": label }, label);
      b.addEventListener("click", () => {
        for (const [key, v] of Object.entries({ dropout: 0, ...p })) selects[key].value = String(v);
        train();
      });
      return b;
    });
    const status = h("p", { class: "tc-status", "aria-live": "polite" }, "Training runs here, on this machine's CPU, when you press Train (a few seconds).");
    const view = h("div", { class: "tc-view", "data-updates": "0" });
    el.append(
      h("div", { class: "tc-controls" }, ...Object.keys(CHOICES).map((key) => h("label", {}, LABELS[key] + " ", selects[key])), go),
      h("div", { class: "tc-presets" }, "Try: ", ...presets), status, view, error,
      h("style", {}, ".tc-controls label{margin-right:.7rem;white-space:nowrap;font-size:.9rem}.tc-controls select{margin-left:.2rem}"
        + ".tc-presets{margin:.4rem 0;font-size:.85rem}.tc-presets button{margin:.15rem .3rem .15rem 0;font-size:.8rem}"
        + ".tc-charts{display:flex;flex-wrap:wrap;gap:.6rem}.tc-chart{background:#fff;max-width:100%;height:auto}"
        + ".tc-tick{font:10px system-ui;fill:#64748b}.tc-axis{font:11px system-ui;fill:#334155}.tc-title{font-weight:600}"
        + ".tc-legend{font-size:.82rem;color:#334155;margin:.2rem 0}.tc-legend i{display:inline-block;width:1.2rem;height:.18rem;vertical-align:middle;margin:0 .25rem 0 .7rem}"
        + ".tc-status{font-size:.92rem;color:#334155}.tc-table td,.tc-table th{text-align:right;padding:.1rem .5rem;font-variant-numeric:tabular-nums}"
        + ".tc-note{color:#b45309}.tc-cli{font-size:.85rem;color:#475569}.tc-cli code{display:inline-block;white-space:nowrap}"));

    const command = (d) => {
      const defaults = { dataset: "mnist", optimizer: "adam", lr: 0.001, batch: 64, hidden: 128, dropout: 0, steps: 300, eval_every: 25, bug: "none", seed: 0 };
      const flags = Object.entries(defaults).filter(([k, v]) => d[k] !== v).map(([k, _v]) => `--${k.replace("_", "-")} ${d[k]}`);
      return ["torchtutor widget training-curves", ...flags].join(" ");
    };

    onData(model, (d) => {
      last = d;
      const steps = d.steps;
      const ghostFits = ghost && ghost.steps === steps ? ghost : null;
      const loss = chart("loss (cross-entropy)", d.loss_top, (v) => num(v, 3), [0, d.loss_top / 2, d.loss_top], steps);
      if (ghostFits) loss.line(ghostFits.losses.map((v, i) => [i + 1, v]), GREY, { "stroke-dasharray": "3 2", "stroke-width": 1, "data-ghost": "loss" });
      loss.line(d.losses.map((v, i) => [i + 1, v]), "#93c5fd", { "stroke-width": 1, "data-series": "step-loss" });
      loss.line(d.evals.map((e) => [e.step, e.val_loss]), ORANGE, { "data-series": "val-loss" });
      loss.dots(d.evals.map((e) => [e.step, e.val_loss, e]), ORANGE, (e) => ({ "data-step": e.step, "data-val-loss": e.val_loss }));
      const acc = chart("accuracy", 1, (v) => `${Math.round(100 * v)}%`, [0, 0.25, 0.5, 0.75, 1], steps);
      if (ghostFits) acc.line(ghostFits.evals.map((e) => [e.step, e.val_acc]), GREY, { "stroke-dasharray": "4 3", "data-ghost": "val-acc" });
      acc.line(d.evals.map((e) => [e.step, e.train_acc]), BLUE, { "data-series": "train-acc" });
      acc.dots(d.evals.map((e) => [e.step, e.train_acc, e]), BLUE, (e) => ({ "data-step": e.step, "data-train-acc": e.train_acc }));
      acc.line(d.evals.map((e) => [e.step, e.val_acc]), ORANGE, { "data-series": "val-acc" });
      acc.dots(d.evals.map((e) => [e.step, e.val_acc, e]), ORANGE, (e) => ({ "data-step": e.step, "data-val-acc": e.val_acc }));
      const above = d.losses.filter((v) => v !== null && v > d.loss_top);
      const legend = h("div", { class: "tc-legend" },
        h("i", { style: "background:#93c5fd" }), "training loss, every step", h("i", { style: `background:${BLUE}` }), "training accuracy",
        h("i", { style: `background:${ORANGE}` }), "validation loss / accuracy",
        ghostFits ? h("span", {}, h("i", { style: `background:${GREY}` }), `previous run (${ghostFits.optimizer}, lr ${ghostFits.lr}, batch ${ghostFits.batch}, bug ${ghostFits.bug})`) : "",
        above.length ? h("div", { class: "tc-note" }, `${above.length} step(s) above the top of the loss chart, up to ${num(Math.max(...above))}`) : "");
      const last_ = d.evals[d.evals.length - 1];
      status.textContent = `${d.done ? "Done" : "Training"}: step ${d.steps_done} of ${steps} · epoch ${d.epochs_done.toFixed(1)} · validation accuracy ${pct(last_.val_acc)}`;
      status.dataset.stepsDone = String(d.steps_done);
      status.dataset.done = String(d.done);
      go.textContent = d.done ? "Train again" : "Restart";
      const rows = d.evals.map((e) => h("tr", { "data-step": e.step }, ...[e.step, e.epoch.toFixed(1), loss4(e.train_loss), loss4(e.val_loss), pct(e.train_acc), pct(e.val_acc)].map((c) => h("td", {}, String(c)))));
      view.replaceChildren(
        h("p", { class: "tc-legend" }, `${d.model}, ${d.parameters.toLocaleString("en")} parameters, on ${d.train_size.toLocaleString("en")} training and ${d.val_size} validation images of the ${d.dataset === "mnist" ? "MNIST" : "Fashion-MNIST"} sample`),
        h("div", { class: "tc-charts" }, loss.root, acc.root), legend,
        d.note ? h("p", { class: "tc-note" }, "Bug planted: " + d.note) : "",
        d.done ? h("p", { class: "tc-summary" }, d.summary) : "",
        h("p", { class: "tc-cli" }, "The same run in a terminal: ", h("code", {}, command(d))),
        h("details", {}, h("summary", {}, "The numbers at each measurement"),
          h("table", { class: "tc-table" }, h("thead", {}, h("tr", {}, ...["step", "epoch", "train loss", "val loss", "train acc", "val acc"].map((x) => h("th", {}, x)))), h("tbody", {}, ...rows))));
      view.dataset.updates = String(Number(view.dataset.updates || 0) + 1);
    }, error);
  },
};
