/* geotension dashboard: per-dyad index timeline with level bands, conflict vs cooperation per
 * day, current level, recent events and alerts; live from /api/stream (EventSource).
 *
 * Every piece of record text (sentences, outlets, names) reaches the page through textContent
 * or setAttribute on non-script attributes, never as markup: article text cannot run code.
 * Links are only made for http(s) URLs. Plain JS, no libraries: the page works offline.
 */
"use strict";

const LEVELS = ["CALM", "ELEVATED", "HIGH", "SEVERE", "CRITICAL"];
const SVG_NS = "http://www.w3.org/2000/svg";
const W = 560, H = 230, PAD_L = 30, PAD_R = 8, TOP = 8, INDEX_H = 130, GAP = 18, BARS_H = 56;
const EVENTS_SHOWN = 8, ALERTS_SHOWN = 30;

const state = { thresholds: {}, dyads: new Map(), alerts: new Map(), refetch: new Map() };

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function safeHref(url) {
  // Only web links: a javascript: or data: URL from an article must not become clickable code.
  if (typeof url !== "string") return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (_) {
    return null;
  }
}

async function getJSON(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

function day(iso) { return typeof iso === "string" ? iso.slice(0, 10) : "–"; }

function card(dyad) {
  let entry = state.dyads.get(dyad);
  if (entry) return entry;
  const root = el("article", { class: "dyad", "data-dyad": dyad });
  const title = el("h2");
  title.append(el("span", { class: "name" }, dyad), el("span", { class: "level", "data-level": "CALM" }, "CALM"));
  const figures = el("span", { class: "figures" });
  figures.append(el("span", {}, "index "), el("span", { class: "index-value" }, "0.0"), el("span", { class: "trend" }, ""),
    el("span", { class: "as-of" }, ""));
  title.append(figures);
  const chart = svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": dyad + " tension index" });
  const events = el("ol", { class: "events" });
  root.append(title, chart, el("h3", {}, "Recent events"), events);
  document.getElementById("dyads").append(root);
  entry = { root, chart, events, series: new Map(), summary: null };
  state.dyads.set(dyad, entry);
  return entry;
}

function setLevel(entry, level, index, asOf, trend, change) {
  const badge = entry.root.querySelector(".level");
  badge.textContent = level;
  badge.setAttribute("data-level", level);
  entry.root.setAttribute("data-level", level);
  entry.root.querySelector(".index-value").textContent = Number(index).toFixed(1);
  if (trend) {  // live snapshots carry no trend: keep the last one computed by the server
    const arrow = trend === "rising" ? " ▲" : trend === "falling" ? " ▼" : " ▶";
    entry.root.querySelector(".trend").textContent = `${arrow} ${change >= 0 ? "+" : ""}${Number(change).toFixed(1)}`;
  }
  entry.root.querySelector(".as-of").textContent = asOf ? ` · as of ${day(asOf)}` : " · no data yet";
}

function drawChart(entry) {
  const chart = entry.chart;
  while (chart.firstChild) chart.removeChild(chart.firstChild);
  const points = [...entry.series.values()].sort((a, b) => a.t - b.t);
  const plotW = W - PAD_L - PAD_R;
  // Level bands behind the index line: each level from its entry threshold to the next one.
  const bounds = [0, ...LEVELS.slice(1).map((l) => state.thresholds[l] ?? 100), 100];
  const y = (v) => TOP + INDEX_H * (1 - Math.max(0, Math.min(100, v)) / 100);
  LEVELS.forEach((level, i) => {
    const lo = bounds[i], hi = Math.max(bounds[i + 1], lo);
    chart.append(svg("rect", { class: `band band-${level}`, x: PAD_L, y: y(hi), width: plotW, height: y(lo) - y(hi) }));
  });
  [0, 50, 100].forEach((v) => chart.append(svg("text", { class: "tick", x: PAD_L - 4, y: y(v) + 3, "text-anchor": "end" }, v)));
  const barsTop = TOP + INDEX_H + GAP, mid = barsTop + BARS_H / 2;
  chart.append(svg("line", { class: "axis", x1: PAD_L, x2: W - PAD_R, y1: mid, y2: mid }));
  chart.append(svg("text", { class: "tick", x: PAD_L - 4, y: barsTop + 8, "text-anchor": "end" }, "coop"));
  chart.append(svg("text", { class: "tick", x: PAD_L - 4, y: barsTop + BARS_H, "text-anchor": "end" }, "confl"));
  if (points.length === 0) {
    chart.append(svg("text", { class: "nodata", x: PAD_L + plotW / 2, y: TOP + INDEX_H / 2, "text-anchor": "middle" }, "no snapshots yet"));
    return;
  }
  const t0 = points[0].t, t1 = points[points.length - 1].t, span = Math.max(t1 - t0, 86400000);
  const x = (t) => PAD_L + plotW * ((t - t0) / span);
  const path = points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.index).toFixed(1)}`).join(" ");
  chart.append(svg("path", { class: "index-line", d: path }));
  const maxAbs = Math.max(1, ...points.map((p) => Math.max(p.coop, -p.conflict)));
  const barW = Math.max(1, plotW / Math.max(points.length, 1) - 0.5);
  for (const p of points) {
    if (p.coop > 0) {
      const h = (BARS_H / 2) * (p.coop / maxAbs);
      chart.append(svg("rect", { class: "bar-coop", x: x(p.t) - barW / 2, y: mid - h, width: barW, height: h }));
    }
    if (p.conflict < 0) {
      const h = (BARS_H / 2) * (-p.conflict / maxAbs);
      chart.append(svg("rect", { class: "bar-conflict", x: x(p.t) - barW / 2, y: mid, width: barW, height: h }));
    }
  }
  const labelY = barsTop + BARS_H + 14;
  chart.append(svg("text", { class: "tick", x: PAD_L, y: labelY }, day(points[0].asOf)));
  chart.append(svg("text", { class: "tick", x: W - PAD_R, y: labelY, "text-anchor": "end" }, day(points[points.length - 1].asOf)));
}

function addSnapshot(entry, snap) {
  const t = Date.parse(snap.as_of);
  const old = entry.series.get(t);
  if (old && old.revision > snap.revision) return false;
  // The shortest window is "per step": conflict vs cooperation per day with the default 1d step.
  const windows = (snap.windows || []).slice().sort((a, b) => parseFloat(a.window) - parseFloat(b.window));
  const daily = windows[0] || { conflict_sum: 0, cooperation_sum: 0 };
  entry.series.set(t, { t, asOf: snap.as_of, revision: snap.revision, index: snap.tension_index,
    level: snap.level, conflict: daily.conflict_sum, coop: daily.cooperation_sum });
  return true;
}

function eventItem(ev) {
  const li = el("li", { "data-event-id": ev.event_id });
  const src = (ev.source && (ev.source.code || ev.source.country)) || "?";
  const tgt = (ev.target && (ev.target.code || ev.target.country)) || "?";
  const meta = el("span", { class: "meta" });
  meta.append(el("span", {}, `${day(ev.event_time)} `), el("span", { class: "code" }, `${src}→${tgt} ${ev.cameo_code}`),
    el("span", {}, ` ${String(ev.modality || "").toLowerCase()} · ${ev.context || ""} · `), el("span", { class: "outlet" }, ev.outlet || "unknown outlet"));
  const href = safeHref(ev.url);
  if (href) {
    meta.append(el("span", {}, " · "));
    meta.append(el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank", class: "source-link" }, "source"));
  }
  const sentence = el("span", { class: "sentence" }, (ev.evidence && ev.evidence.sentence) || "");
  li.append(sentence, meta);
  return li;
}

async function loadEvents(dyad) {
  const entry = card(dyad);
  const body = await getJSON(`/api/events/${encodeURIComponent(dyad)}?limit=${EVENTS_SHOWN}`);
  entry.events.replaceChildren(...body.events.map(eventItem));
  if (body.events.length === 0) entry.events.append(el("li", { class: "empty" }, "No coded events yet."));
}

function scheduleEvents(dyad) {
  // Several snapshots arrive per event (one per step and dyad): fetch the event list once.
  clearTimeout(state.refetch.get(dyad));
  state.refetch.set(dyad, setTimeout(() => loadEvents(dyad).catch(showError), 400));
}

// A later event can change the level change of a past step: the alert is then followed by a
// CORRECTED alert or a RETRACTED record for the same (dyad, as_of), with a higher correction.
const STATUS_NOTE = { CORRECTED: "corrected", RETRACTED: "retracted: no level change at this step any more" };

function stepKey(alert) { return `${alert.dyad}|${alert.as_of}`; }

function latestCorrections() {
  const latest = new Map();
  for (const a of state.alerts.values()) {
    latest.set(stepKey(a), Math.max(latest.get(stepKey(a)) ?? 0, a.correction || 0));
  }
  return latest;
}

function alertItem(alert, superseded) {
  const status = alert.status || "RAISED";
  const li = el("li", { "data-alert-id": alert.alert_id, "data-revision": alert.revision, "data-dyad": alert.dyad,
    "data-status": status, "data-superseded": superseded ? "true" : "false" });
  const head = el("span", { class: "alert-head" });
  head.append(el("strong", {}, alert.dyad + " "), el("span", { class: "level", "data-level": alert.from_level }, alert.from_level),
    el("span", {}, " → "), el("span", { class: "level", "data-level": alert.to_level }, alert.to_level),
    el("span", { class: "meta" }, ` as of ${day(alert.as_of)} · index ${Number(alert.tension_index).toFixed(1)}` +
      (alert.revision ? ` · revision ${alert.revision}` : "")));
  if (STATUS_NOTE[status]) head.append(el("span", { class: "alert-status" }, " " + STATUS_NOTE[status]));
  if (superseded) head.append(el("span", { class: "alert-status" }, " superseded by a correction"));
  li.append(head);
  const top = (alert.top_events || [])[0];
  if (top) {
    const why = el("span", { class: "sentence" }, top.sentence);
    const meta = el("span", { class: "meta" }, `${top.source}→${top.target} ${top.cameo_code} · `);
    meta.append(el("span", { class: "outlet" }, top.outlet || "unknown outlet"));
    const href = safeHref(top.url);
    if (href) {
      meta.append(el("span", {}, " · "), el("a", { href, rel: "noopener noreferrer nofollow", target: "_blank", class: "source-link" }, "source"));
    }
    li.append(why, meta);
  }
  return li;
}

function renderAlerts(freshKey) {
  const list = document.getElementById("alerts");
  const sorted = [...state.alerts.values()].sort((a, b) =>
    b.as_of.localeCompare(a.as_of) || b.dyad.localeCompare(a.dyad) || (b.correction || 0) - (a.correction || 0) ||
    b.revision - a.revision).slice(0, ALERTS_SHOWN);
  const latest = latestCorrections();
  list.replaceChildren(...sorted.map((a) => {
    const li = alertItem(a, (a.correction || 0) < (latest.get(stepKey(a)) ?? 0));
    if (`${a.alert_id}/${a.revision}` === freshKey) li.classList.add("fresh");
    return li;
  }));
  document.getElementById("alerts-empty").hidden = sorted.length > 0;
}

function showError(err) {
  const node = document.getElementById("updated");
  node.textContent = "error: " + (err && err.message ? err.message : String(err));
}

function stamp() {
  document.getElementById("updated").textContent = "updated " + new Date().toISOString().slice(0, 19).replace("T", " ") + " UTC";
}

async function loadAll() {
  const body = await getJSON("/api/dyads");
  state.thresholds = body.level_thresholds || {};
  await Promise.all(body.dyads.map(async (row) => {
    const entry = card(row.dyad);
    entry.summary = row;
    setLevel(entry, row.level, row.tension_index, row.as_of, row.trend, row.change);
    const series = await getJSON(`/api/indicators/${encodeURIComponent(row.dyad)}`);
    for (const snap of series.snapshots) addSnapshot(entry, snap);
    drawChart(entry);
    await loadEvents(row.dyad);
  }));
  const alerts = await getJSON("/api/alerts");
  for (const a of alerts.alerts) state.alerts.set(`${a.alert_id}/${a.revision}`, a);
  renderAlerts(null);
  document.body.setAttribute("data-loaded", "true");
  stamp();
}

function onSnapshot(snap) {
  const entry = card(snap.dyad);
  if (!addSnapshot(entry, snap)) return;
  const newest = Math.max(...entry.series.keys());
  if (Date.parse(snap.as_of) === newest) setLevel(entry, snap.level, snap.tension_index, snap.as_of, null, 0);
  drawChart(entry);
  scheduleEvents(snap.dyad);
  stamp();
}

function onAlert(alert) {
  const key = `${alert.alert_id}/${alert.revision}`;
  state.alerts.set(key, alert);
  renderAlerts(key);
  stamp();
}

function connect() {
  const status = document.getElementById("connection");
  const source = new EventSource("/api/stream");
  source.addEventListener("open", () => { status.textContent = "live"; status.setAttribute("data-state", "live"); });
  source.addEventListener("error", () => { status.textContent = "reconnecting…"; status.setAttribute("data-state", "down"); });
  source.addEventListener("snapshot", (e) => onSnapshot(JSON.parse(e.data)));
  source.addEventListener("alert", (e) => onAlert(JSON.parse(e.data)));
  source.addEventListener("overflow", () => { source.close(); setTimeout(start, 1000); });
}

function start() {
  // Listen first, then load: a snapshot arriving meanwhile is merged by revision either way.
  connect();
  loadAll().catch(showError);
}

document.addEventListener("DOMContentLoaded", start);
