// Small helpers shared by the page and the widget modules.

// h("div", {class: "x"}, "text", child): an element; "" / null / false children are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== "" && c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

// request("POST", "/api/...", body): JSON in and out; a refusal or error becomes an Error with the server's words.
export async function request(method, path, body) {
  const init = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
  const response = await fetch(path, init);
  let data;
  try { data = await response.json(); } catch { data = { error: (await response.text().catch(() => "")) || `The server answered ${response.status}.` }; }
  if (!response.ok) throw new Error(data.error || `The server answered ${response.status}.`);
  return data;
}

export const post = (path, body = {}) => request("POST", path, body);

// A number for people: 4 significant digits, no "-0".
export function num(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  const v = Number(value) + 0;
  if (v === 0) return "0";
  return Number(v.toPrecision(digits)).toString();
}
