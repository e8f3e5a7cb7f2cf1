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
import { post } from "./dom.js";

export function pageModel(name, defaults) {
  const state = { params: { ...defaults }, data: null, error: "" };
  const handlers = new Map();
  const dirty = new Set();
  let sequence = 0;

  const fire = (key) => (handlers.get("change:" + key) || []).forEach((fn) => fn({ name: key, new: state[key] }));

  async function compute() {
    const mine = ++sequence;
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
    send: () => {},
  };
  return { model, compute };
}
