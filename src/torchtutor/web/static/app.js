// The web reader's behaviour: live verdicts (server-sent events), exercise panels, the
// editor, inline checks and widget hosting. No framework; pages carry data-* attributes.
import { h, post, request } from "./dom.js";
import { pageModel } from "./widget-host.js";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const panels = new Map();   // exercise id -> panel state

// ------------------------------------------------------------------ verdicts
function showVerdict(panel, verdict, status) {
  const box = $(".verdict", panel.el);
  box.className = "verdict " + (verdict.passed ? "pass" : "fail");
  const ms = verdict.duration_ms ? ` (${Math.round(verdict.duration_ms)} ms)` : "";
  const parts = [h("div", { class: "head" }, (verdict.passed ? "✓ Passed" : "✗ Not yet") + ms), h("div", { class: "summary" }, verdict.summary)];
  if (verdict.details?.length) parts.push(h("ul", {}, ...verdict.details.map((d) => h("li", {}, d))));
  for (const why of verdict.why || []) parts.push(h("p", { class: "why" }, "Why it matters: " + why));
  if (!verdict.passed && verdict.stdout?.trim()) parts.push(h("details", {}, h("summary", {}, "Your code printed"), h("pre", {}, verdict.stdout.slice(0, 2000))));
  box.replaceChildren(...parts);
  box.dataset.passed = String(verdict.passed);
  panel.el.dataset.updates = String(Number(panel.el.dataset.updates || 0) + 1);
  if (status) setStatus(panel, status);
}

function setStatus(panel, status) {
  const badge = $(".badge", panel.el);
  badge.className = "badge " + status;
  badge.textContent = { done: "passed", failing: "failing", pending: "not started" }[status] || status;
  panel.el.dataset.status = status;
}

function busy(panel, text) {
  const box = $(".verdict", panel.el);
  box.className = "verdict busy";
  box.replaceChildren(text);
}

function fail(target, error) {
  target.replaceChildren(h("p", { class: "error" }, error.message || String(error)));
}

// ------------------------------------------------------------------ exercise panels
function setupExercise(el) {
  const id = el.dataset.exercise;
  const base = `/api/exercise/${id}`;
  const panel = { el, id, base, editor: null, disk: null };
  panels.set(id, panel);
  if (el.dataset.verdict) showVerdict(panel, JSON.parse(el.dataset.verdict), el.dataset.status);

  $(".do-check", el).addEventListener("click", async () => {
    busy(panel, "Checking…");
    try { const d = await post(base + "/check"); showVerdict(panel, d.verdict, d.status); } catch (e) { fail($(".verdict", el), e); }
  });
  $(".do-hint", el).addEventListener("click", async () => {
    try {
      const step = await post(base + "/hint");
      const note = step.matched ? " · fits the mistake your last check found" : "";
      $(".hints", el).append(h("div", { class: "hint" }, h("div", { class: "rung" }, `Hint ${step.rung + 1} of ${step.total}${note}`), h("div", {}, step.text)));
    } catch (e) { fail($(".hints", el), e); }
  });
  $(".do-solution", el).addEventListener("click", async (ev) => {
    const box = $(".solution", el);
    if (!box.hidden) { box.hidden = true; ev.target.textContent = "Show solution"; return; }
    if (!box.dataset.loaded && !confirm("Show the reference solution? Trying the hints first teaches more. The reveal is recorded.")) return;
    try {
      const sol = await post(base + "/solution");
      const pre = h("pre", { class: "hl" }); pre.innerHTML = sol.html;   // server-side Pygments markup
      box.replaceChildren(h("h4", {}, "Reference solution"), pre, h("p", {}, h("b", {}, "Why it works: "), sol.why));
      box.dataset.loaded = "1"; box.hidden = false; ev.target.textContent = "Hide solution";
    } catch (e) { fail(box, e); box.hidden = false; }
  });
  $(".do-editor", el).addEventListener("click", (ev) => toggleEditor(panel, ev.target));
}

async function toggleEditor(panel, button) {
  const pane = $(".editor-pane", panel.el);
  if (panel.editor) { pane.hidden = !pane.hidden; button.textContent = pane.hidden ? "Edit here" : "Hide editor"; return; }
  pane.hidden = false; pane.replaceChildren("Loading the editor…");
  try {
    const [{ createEditor }, file] = await Promise.all([import("./vendor/codemirror.js"), request("GET", panel.base + "/file")]);
    const state = h("span", { class: "state" }, "Saved on disk: " + file.path);
    const save = h("button", { class: "primary do-save" }, "Save (Ctrl+S)");
    const reload = h("button", { class: "do-reload", hidden: "" }, "Load the version on disk");
    const host = h("div", { class: "editor-host" });
    pane.replaceChildren(h("div", { class: "editor-bar" }, state, reload, save), host);
    panel.disk = file.source;
    const doSave = async () => {
      const text = panel.editor.getText();
      state.textContent = "Saving…";
      try {
        await request("PUT", panel.base + "/file", { source: text });
        panel.disk = text; reload.hidden = true;
        state.textContent = "Saved. Checking…";
        busy(panel, "Checking your save…");
      } catch (e) { state.textContent = "Not saved: " + e.message; }
    };
    panel.editor = createEditor({ parent: host, doc: file.source, onSave: doSave,
      onChange: () => { state.textContent = panel.editor.getText() === panel.disk ? "Saved on disk" : "Unsaved changes"; } });
    save.addEventListener("click", doSave);
    reload.addEventListener("click", () => { panel.editor.setText(panel.disk); reload.hidden = true; state.textContent = "Loaded the version on disk"; });
    panel.onDisk = (source) => {
      if (source === undefined || source === panel.disk) return;
      const dirty = panel.editor.getText() !== panel.disk;
      panel.disk = source;
      if (!dirty) { panel.editor.setText(source); state.textContent = "Updated from disk (saved by another editor)"; }
      else { reload.hidden = false; state.textContent = "The file changed on disk while you were editing."; }
    };
    button.textContent = "Hide editor";
    panel.editor.focus();
  } catch (e) { fail(pane, e); }
}

// ------------------------------------------------------------------ live events
function connect() {
  const live = $("#live");
  const events = new EventSource("/api/events");
  events.addEventListener("hello", () => { live?.classList.add("on"); document.body.dataset.live = "1"; });
  events.addEventListener("verdict", (ev) => {
    const data = JSON.parse(ev.data);
    const panel = panels.get(data.exercise);
    if (!panel) return;
    showVerdict(panel, data.verdict, data.status);
    panel.onDisk?.(data.source);
    const state = $(".editor-bar .state", panel.el);
    if (state && state.textContent.startsWith("Saved. Checking")) state.textContent = "Saved on disk";
  });
  let banner = null;
  events.addEventListener("open", () => { banner?.remove(); banner = null; });
  events.onerror = () => {
    live?.classList.remove("on"); document.body.dataset.live = "0";
    if (events.readyState === EventSource.CLOSED && !banner) {   // refused: a restarted server has a new token
      banner = h("div", { class: "lost" }, "Lost the connection to torchtutor serve. If you restarted it, open the new link it printed (it carries a new token).");
      document.body.prepend(banner);
    }
  };
}

// ------------------------------------------------------------------ inline checks
function setupCheck(el) {
  const form = $("form", el), result = $(".result", el);
  const url = `/api/quiz/${el.dataset.lesson}/${el.dataset.check}`;
  const kind = [...el.classList].find((c) => ["predict", "choice", "transfer"].includes(c));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const field = kind === "choice" ? $("input[name=answer]:checked", form) : form.elements.answer;
    const answer = field ? field.value : "";
    result.className = "result"; result.replaceChildren(kind === "predict" ? "Running the code…" : "…");
    try {
      const r = await post(url, { answer });
      renderResult(el, r, answer, url);
    } catch (e) { fail(result, e); }
  });
}

function renderResult(el, r, answer, url) {
  const result = $(".result", el);
  if (r.kind === "predict") {
    result.className = "result " + (r.correct ? "right" : "wrong");
    result.replaceChildren(h("b", {}, r.correct ? "✓ Right. " : "✗ Not quite. "), `You predicted ${r.answer}; the code gives ${r.expected}.`,
      r.output?.trim() ? h("pre", {}, r.output) : "", r.explanation ? h("p", {}, r.explanation) : "");
  } else if (r.kind === "choice") {
    result.className = "result " + (r.correct ? "right" : "wrong");
    result.replaceChildren(h("b", {}, r.correct ? "✓ Right: " : "✗ You chose: "), r.answer, h("p", {}, r.chosen_explanation),
      r.correct ? "" : h("p", {}, h("b", {}, "The right answer: "), r.expected, " — ", r.right_explanation));
  } else if (r.self_mark === null || r.self_mark === undefined) {
    const marks = ["got it", "partly", "missed"].map((m) => {
      const b = h("button", { "data-mark": m }, m);
      b.addEventListener("click", async () => {
        try { const done = await post(url, { answer, mark: m }); renderResult(el, done, answer, url); } catch (e) { fail(result, e); }
      });
      return b;
    });
    result.className = "result";
    result.replaceChildren(h("b", {}, "Model answer: "), r.expected, r.explanation ? h("p", {}, r.explanation) : "",
      h("p", {}, "How did your answer compare? Mark it (this is what gets recorded):"), h("div", { class: "marks" }, ...marks));
  } else {
    result.className = "result right";
    result.replaceChildren(h("b", {}, "Recorded: "), `you marked your answer “${r.self_mark}”.`);
  }
  if (r.recorded) el.dataset.recorded = "1";
}

// ------------------------------------------------------------------ widgets
async function setupWidget(el) {
  const name = el.dataset.widget, body = $(".tt-widget-body", el);
  try {
    const module = await import(`./widgets/${name}.js`);
    const { model, compute } = pageModel(name, JSON.parse(el.dataset.defaults || "{}"), { stream: el.dataset.stream === "1" });
    body.replaceChildren();
    module.default.render({ model, el: body });
    if (!module.default.onDemand) await compute();   // a slow widget (timings) waits for its button
    el.dataset.ready = "1";
  } catch (e) { fail(body, e); }
}

$$(".exercise").forEach(setupExercise);
$$(".check").forEach(setupCheck);
$$(".tt-widget").forEach(setupWidget);
connect();
