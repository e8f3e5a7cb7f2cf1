// Hosts an anywidget-format module in the web reader.
//
// Every widget module under widgets/ exports `default { render({ model, el }) }`, the
// anywidget front-end format, so a notebook can host the same file. The model has
// three traits:
//   params  the widget function's keyword arguments (the module sets and saves them)
//   data    the dict the Python widget function returned for those params
//   error   a sentence when the parameters were refused, else ""
// In a notebook the Python side recomputes `data` when `params` changes; here this host
// does it by calling /api/widget/NAME, which runs the same torchtutor.widgets function.
// model.send({ type: "run" }) asks for the same computation again with unchanged params
// (an on-demand widget's "run again" button); both hosts answer it.
// A streaming widget (stream: true, a training run) reads /api/widget/NAME/stream: one JSON
// snapshot per line, each set as `data` as it arrives, so the drawing grows while it trains.
import { post } from "./dom.js";

async function streamLines(path, body, signal, onLine) {
  const response = await fetch(path, { method: "POST", credentials: "same-origin", signal,
    headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) {
    let data;
    try { data = await response.json(); } catch { data = {}; }
    throw new Error(data.error || `The server answered ${response.status}.`);
  }
  const reader = response.body.getReader(), decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, cut); buffer = buffer.slice(cut + 1);
      if (line.trim()) onLine(JSON.parse(line));
    }
  }
}

export function pageModel(name, defaults, { stream = false } = {}) {
  const state = { params: { ...defaults }, data: null, error: "" };
  const handlers = new Map();
  const dirty = new Set();
  let sequence = 0;

  const fire = (key) => (handlers.get("change:" + key) || []).forEach((fn) => fn({ name: key, new: state[key] }));

  let running = null;   // the AbortController of a streaming run in progress

  async function computeStream(mine) {
    running?.abort();
    const controller = running = new AbortController();
    try {
      await streamLines(`/api/widget/${name}/stream`, { params: state.params }, controller.signal, (line) => {
        if (mine !== sequence) return;
        if (line.error) { state.error = line.error; fire("error"); return; }
        state.data = line; state.error = ""; fire("data"); fire("error");
      });
    } catch (e) {
      if (mine !== sequence || e.name === "AbortError") return;
      state.error = e.message; fire("error");
    }
  }

  async function compute() {
    const mine = ++sequence;
    if (stream) return computeStream(mine);
    try {
      const data = await post(`/api/widget/${name}`, { params: state.params });
      if (mine !== sequence) return;       // a newer slider position is on its way
      state.data = data; state.error = "";
      fire("data"); fire("error");
    } catch (e) {
      if (mine !== sequence) return;
      state.error = e.message; fire("error");
    }
  }

  const model = {
    get: (key) => state[key],
    set: (key, value) => { state[key] = value; dirty.add(key); },
    save_changes: () => { const changed = dirty.has("params"); dirty.clear(); if (changed) compute(); },
    on: (event, fn) => { if (!handlers.has(event)) handlers.set(event, []); handlers.get(event).push(fn); },
    off: (event, fn) => { const list = handlers.get(event) || []; handlers.set(event, fn ? list.filter((f) => f !== fn) : []); },
    send: (message) => { if (message && message.type === "run") compute(); },
  };
  return { model, compute };
}
