// gbhook inspector: keeps the server-rendered page live from /api/events.
// Untrusted text only ever goes through textContent.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (sel) => document.querySelector(sel);
  let current = 0; // id of the request in the detail view
  let currentRid = ""; // and its request id

  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : String(k));
    return e;
  }

  async function api(path, opts) {
    opts = opts || {};
    opts.headers = Object.assign({ "X-CSRF-Token": csrf }, opts.headers || {});
    opts.credentials = "same-origin";
    const r = await fetch(path, opts);
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { status: r.status });
    return body;
  }

  function matches(s) {
    const route = $("#f-route").value, status = $("#f-status").value.trim();
    return (!route || s.route === route) && (!status || String(s.status) === status);
  }

  function row(s) {
    const badges = el("td", {});
    if (s.replay_of !== null) badges.append(el("span", { class: "badge" }, "replay of #" + s.replay_of));
    if (s.duplicate) badges.append(el("span", { class: "badge" }, "duplicate"));
    const tr = el("tr", { "data-id": s.id, "data-route": s.route, "data-status": s.status,
      class: (s.error ? "failed" : "") + (s.replay_of !== null ? " replay" : "") },
      el("td", {}, s.id), el("td", {}, new Date(s.time).toTimeString().slice(0, 8)), el("td", {}, s.method),
      el("td", { class: "path" }, s.path), el("td", {}, s.route), el("td", { class: "status" }, s.status),
      el("td", {}, s.duration_ms.toFixed(1)), badges);
    return tr;
  }

  async function reloadList() {
    const q = new URLSearchParams({ limit: "100" });
    if ($("#f-route").value) q.set("route", $("#f-route").value);
    if ($("#f-status").value.trim()) q.set("status", $("#f-status").value.trim());
    const list = await api("/api/requests?" + q);
    const tb = $("#requests tbody");
    tb.replaceChildren(...list.map(row));
    mark();
  }

  function mark() {
    for (const tr of document.querySelectorAll("#requests tbody tr")) tr.classList.toggle("selected", tr.dataset.id === String(current));
  }

  function headers(h) {
    const t = el("table", { class: "headers" });
    for (const k of Object.keys(h || {}).sort()) for (const v of h[k]) t.append(el("tr", {}, el("th", {}, k), el("td", {}, v)));
    return t;
  }

  function body(b, truncated, id) {
    return el("div", {}, el("pre", { id: id, class: "body" }, b || ""), truncated ? el("p", { class: "bad" }, "(truncated)") : null);
  }

  function source(src) {
    const pre = el("pre", { id: "error-source", class: "source" });
    for (const l of src.lines) {
      pre.append(el("div", { class: l.n === src.line ? "failing" : "" }, String(l.n).padStart(4, " ") + "  " + l.text));
    }
    return el("div", {}, el("p", { class: "muted" }, src.file + ":" + src.line + ":" + src.col), pre);
  }

  function list(items, fmt, id) {
    if (!items || items.length === 0) return el("p", { class: "muted", id: id }, "none");
    return el("ul", { id: id }, ...items.map((x) => el("li", {}, fmt(x))));
  }

  async function show(id) {
    current = Number(id);
    mark();
    let r;
    try { r = await api("/api/requests/" + id); } catch (e) { $("#detail").replaceChildren(el("p", { class: "bad" }, e.message)); return; }
    currentRid = r.request_id;
    const d = el("div", { "data-id": r.id },
      el("h2", {}, "#" + r.id + " " + r.method + " " + r.path),
      el("p", {}, el("span", { id: "detail-status", class: r.status >= 400 ? "bad" : "ok" }, String(r.status)),
        " · " + r.route + " · " + r.duration_ms.toFixed(1) + " ms · " + r.steps + " steps · request id " + r.request_id,
        r.replay_of !== null ? el("span", { class: "badge", id: "detail-replay-of" }, "replay of #" + r.replay_of) : null),
      el("button", { id: "replay-btn", onclick: () => replay(r.id) }, "Replay"));
    if (r.error) {
      d.append(el("h3", {}, "Error"), el("p", { id: "detail-error", class: "bad" }, r.error));
      if (r.error_source) d.append(source(r.error_source));
    }
    d.append(el("h3", {}, "Request"), headers(r.request && r.request.headers),
      body(r.request && r.request.body, r.request && r.request.truncated, "detail-request-body"));
    d.append(el("h3", {}, "Response"), headers(r.response && r.response.headers),
      body(r.response && r.response.body, r.response && r.response.truncated, "detail-response-body"));
    d.append(el("h3", {}, "Logs"), list(r.logs, (l) => l.at + "  " + l.msg, "detail-logs"));
    d.append(el("h3", {}, "Jobs"), list(r.jobs, (j) => j.sub + ": " + j.state + (j.error ? " (" + j.error + ")" : ""), "detail-jobs"));
    d.append(el("h3", {}, "Deliveries"), list(r.deliveries,
      (x) => x.kind + " " + x.outcome + (x.to ? " to " + x.to : "") + (x.where ? " · " + x.where : "") + (x.error ? " (" + x.error + ")" : ""), "detail-deliveries"));
    $("#detail").className = "";
    $("#detail").replaceChildren(d);
  }

  async function replay(id) {
    try {
      const r = await api("/api/requests/" + id + "/replay", { method: "POST" });
      if (r.id) await show(r.id);
    } catch (e) {
      $("#detail").prepend(el("p", { class: "bad" }, "Replay failed: " + e.message));
    }
  }

  async function reloadProblems() {
    const ps = await api("/api/problems");
    $("#problems").replaceChildren(...(ps.length ? ps.map((p) => el("li", { class: "bad" }, p.error)) : [el("li", { class: "ok" }, "The scripts are clean.")]));
    const rs = await api("/api/routes");
    $("#routes tbody").replaceChildren(...rs.map((r) => el("tr", {}, el("td", {}, r.route), el("td", {}, r.from), el("td", {}, r.at))));
  }

  async function reloadJobs() {
    const box = $("#jobs");
    if (box.dataset.enabled !== "true") return;
    let jobs;
    try { jobs = await api("/api/jobs?state=failed"); } catch (e) { box.replaceChildren(el("p", { class: "bad" }, e.message)); return; }
    if (!jobs.length) { box.replaceChildren(el("p", { class: "muted" }, "No failed jobs.")); return; }
    const act = (id, what) => api("/api/jobs/" + id + "/" + what, { method: "POST" }).then(reloadJobs, (e) => alert(e.message));
    box.replaceChildren(el("table", {}, ...jobs.map((j) => el("tr", { "data-job": j.id },
      el("td", {}, j.id), el("td", {}, j.sub), el("td", {}, j.state), el("td", {}, j.error),
      el("td", {}, el("button", { onclick: () => act(j.id, "retry") }, "Retry"), el("button", { onclick: () => act(j.id, "cancel") }, "Cancel"))))));
  }

  function connect() {
    const es = new EventSource("/api/events");
    es.onopen = () => { $("#live").textContent = "live"; $("#live").className = "ok"; };
    es.onerror = () => { $("#live").textContent = "reconnecting…"; $("#live").className = "bad"; };
    es.addEventListener("request", (m) => {
      const s = JSON.parse(m.data);
      if (matches(s) && !document.querySelector('#requests tbody tr[data-id="' + s.id + '"]')) $("#requests tbody").prepend(row(s));
    });
    es.addEventListener("reload", () => reloadProblems());
    es.addEventListener("job", (m) => {
      const j = JSON.parse(m.data);
      if (current && j.request_id && j.request_id === currentRid) show(current);
      reloadJobs();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("#requests tbody").addEventListener("click", (ev) => {
      const tr = ev.target.closest("tr[data-id]");
      if (tr) show(tr.dataset.id);
    });
    $("#f-route").addEventListener("change", reloadList);
    $("#f-status").addEventListener("input", reloadList);
    $("#filters").addEventListener("submit", (ev) => ev.preventDefault());
    connect();
    reloadJobs();
  });
})();
