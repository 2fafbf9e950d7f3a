// w2v explorer: plain JavaScript, no libraries.  Every number and colour comes from the JSON API.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { info: null, rows: [], map: null, mapView: null, highlight: new Set(), arrows: [], pairs: null,
                sample: 0, history: [] };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "style") node.style.cssText = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(name, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const item of (Array.isArray(v) ? v : [v])) query.append(k, item);
  }
  const response = await fetch(`/api/${name}?${query}`);
  const body = await response.json();
  return { ok: response.ok, status: response.status, body };
}

function ranked(list, results, onPick, scoreKey = "similarity", label = (r) => r.word) {
  list.replaceChildren();
  const top = Math.max(...results.map((r) => Math.abs(r[scoreKey])), 1e-9);
  for (const r of results) {
    const li = el("li", { onclick: () => onPick(r) },
      el("span", { class: "bar", style: `width:${Math.round(80 * Math.abs(r[scoreKey]) / top)}px` }),
      label(r), el("span", { class: "score" }, r[scoreKey].toFixed(4)));
    li.dataset.word = r.word || r.item;
    list.append(li);
  }
}

function didYouMean(box, body, retry) {
  box.replaceChildren();
  box.hidden = false;
  box.append(body.error + " ");
  const suggestions = Object.values(body.suggestions || {}).flat();
  for (const s of suggestions) {
    box.append(el("a", { onclick: () => retry(s) }, s), " ");
  }
}

// -- search and neighbours ----------------------------------------------------------------
let completeTimer = null;
function complete(prefix) {
  clearTimeout(completeTimer);
  if (!prefix) return;
  completeTimer = setTimeout(async () => {
    const r = await api("complete", { prefix, n: 10 });
    if (!r.ok) return;
    const list = $("completions");
    list.replaceChildren(...r.body.results.map((w) => el("option", { value: w },
      (r.body.names && r.body.names[w]) || "")));
  }, 120);
}

async function search(word) {
  word = word.trim();
  if (!word) return;
  $("search").value = word;
  const r = await api("neighbors", { word, n: 12 });
  const box = $("didyoumean");
  if (!r.ok) {
    didYouMean(box, r.body, search);
    $("neighbors").replaceChildren();
    return;
  }
  box.hidden = true;
  ranked($("neighbors"), r.body.results, (x) => search(x.word));
  state.highlight = new Set([word, ...r.body.results.map((x) => x.word)]);
  state.focus = word;
  drawMap();
}

// -- colour rows ----------------------------------------------------------------------------
function rowsTable(labels, values, colours, agree, removable, info = "cell-info") {
  const table = el("table", { class: "rows" });
  const agreeing = new Set(agree || []);
  let column = [];
  // Hovering a cell shows its value and compares its column: every row's value in that dimension.
  const compare = (label, d) => {
    for (const td of column) td.classList.remove("col-hover");
    column = [...table.querySelectorAll(`td[data-dim="${d}"]`)];
    for (const td of column) td.classList.add("col-hover");
    const others = labels.map((l, i) => `${l} ${values[i][d].toFixed(2)}`).join(", ");
    $(info).textContent = `${label}: dimension ${d} = ${values[labels.indexOf(label)][d].toFixed(4)}` +
      (labels.length > 1 ? ` | column ${d}: ${others}` + (agreeing.has(d) ? " (all agree)" : "") : "");
  };
  table.addEventListener("mouseleave", () => { for (const td of column) td.classList.remove("col-hover"); column = []; });
  labels.forEach((label, i) => {
    const tr = el("tr");
    tr.dataset.word = label;
    const cellLabel = el("td", { class: "label" }, label);
    if (removable) cellLabel.prepend(el("button", { type: "button", title: `remove ${label}`,
      onclick: () => { state.rows.splice(i, 1); showRows(); } }, "×"), " ");
    tr.append(cellLabel);
    values[i].forEach((v, d) => {
      const td = el("td", { class: "cell" + (agreeing.has(d) ? " agree" : ""), style: `background:${colours[i][d]}` });
      td.dataset.dim = d;
      td.dataset.value = v;
      td.addEventListener("mouseenter", () => compare(label, d));
      tr.append(td);
    });
    table.append(tr);
  });
  return table;
}

async function showRows() {
  const box = $("rows");
  if (!state.rows.length) { box.replaceChildren(el("p", { class: "muted" }, "no rows yet")); return; }
  const r = await api("vectors", { word: state.rows });
  if (!r.ok) { box.replaceChildren(el("p", { class: "note" }, r.body.error)); return; }
  box.replaceChildren(rowsTable(r.body.words, r.body.values, r.body.colors, r.body.agree, true));
}

async function addRow(word) {
  word = word.trim();
  if (!word || state.rows.includes(word)) return;
  const r = await api("suggest", { word });
  if (!r.ok) return;
  if (!r.body.known) {
    const box = $("cell-info");
    box.replaceChildren(el("span", { class: "note" }, `'${word}' is not in the vocabulary` +
      (r.body.suggestions.length ? `; did you mean ${r.body.suggestions.join(", ")}?` : "")));
    return;
  }
  state.rows.push(word);
  $("row-word").value = "";
  await showRows();
}

// -- analogies --------------------------------------------------------------------------------
async function analogy() {
  const a = $("an-a").value.trim(), b = $("an-b").value.trim(), c = $("an-c").value.trim();
  const r = await api("analogy", { positive: [a, c], negative: [b], method: $("an-method").value, n: 8, rows: 1 });
  const list = $("analogy-results");
  if (!r.ok) { list.replaceChildren(el("li", { class: "note" }, r.body.error)); $("analogy-rows").replaceChildren(); return; }
  ranked(list, r.body.results, (x) => search(x.word));
  const rows = r.body.rows;
  $("analogy-rows").replaceChildren(rowsTable(rows.labels, rows.values, rows.colors, [], false));
  if (r.body.results.length) state.arrows = [[b, a], [c, r.body.results[0].word]];
  drawMap();
}

async function oddOneOut() {
  const words = $("odd-words").value.split(/\s+/).filter(Boolean);
  const r = await api("doesnt_match", { word: words });
  $("odd-result").textContent = r.ok ? `→ ${r.body.doesnt_match}` : r.body.error;
}

// -- map ------------------------------------------------------------------------------------------
// Tens of thousands of points on one canvas, never one DOM node each.  The points are drawn into an
// offscreen layer only when the view moves (pan, zoom, a new map); hover, highlights and arrows are
// drawn over a copy of that layer.  Redraws are coalesced to one per animation frame.  Hover and
// click find the nearest point through a grid built once in map (data) coordinates.
const GRID_CELLS = 96;          // per side of the data-space grid
const PICK_RADIUS = 8;          // pixels
let mapDirty = true, mapFrame = 0, mapHover = -1;

async function loadMap() {
  const n = $("map-n").value, method = $("map-method").value;
  for (let tries = 0; tries < 3600; tries++) {
    const r = await api("map", { n, method });
    if (!r.ok) { $("map-status").textContent = r.body.error; return; }
    if (r.body.status === "ready") {
      $("map-status").textContent = `${r.body.n} words, ${r.body.axes.join(" × ")}`;
      prepareMap(r.body);
      return;
    }
    $("map-status").textContent = `computing ${r.body.method.toUpperCase()} of ${r.body.n} words: ` +
      `${r.body.stage} (${Math.round(100 * r.body.progress)}%, ${r.body.elapsed} s)`;
    await new Promise((ok) => setTimeout(ok, 500));
  }
}

function prepareMap(m) {
  const n = m.words.length, xs = Float64Array.from(m.x), ys = Float64Array.from(m.y);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    if (xs[i] < x0) x0 = xs[i]; if (xs[i] > x1) x1 = xs[i];
    if (ys[i] < y0) y0 = ys[i]; if (ys[i] > y1) y1 = ys[i];
  }
  const index = new Map();
  m.words.forEach((w, i) => index.set(w, i));
  const cell = Math.max((x1 - x0) || 1, (y1 - y0) || 1) / GRID_CELLS;
  // Points sorted by cell (a counting sort): cell c holds order[start[c] .. start[c + 1]).
  const cells = new Int32Array(n), start = new Int32Array(GRID_CELLS * GRID_CELLS + 1);
  for (let i = 0; i < n; i++) {
    const cx = Math.min(GRID_CELLS - 1, Math.floor((xs[i] - x0) / cell));
    const cy = Math.min(GRID_CELLS - 1, Math.floor((ys[i] - y0) / cell));
    cells[i] = cy * GRID_CELLS + cx;
    start[cells[i] + 1]++;
  }
  for (let c = 0; c < GRID_CELLS * GRID_CELLS; c++) start[c + 1] += start[c];
  const fill = start.slice(0, -1), order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[cells[i]]++] = i;
  state.map = { words: m.words, x: xs, y: ys, index, bounds: [x0, x1, y0, y1], grid: { cell, start, order },
                screen: new Float32Array(2 * n) };
  const canvas = $("map");
  const s = Math.min((canvas.width - 40) / ((x1 - x0) || 1), (canvas.height - 40) / ((y1 - y0) || 1));
  state.mapView = { scale: s, ox: 20 - x0 * s, oy: canvas.height - 20 + y0 * s };
  mapHover = -1;
  mapChanged();
}

function toScreen(i) {
  const v = state.mapView;
  return [state.map.x[i] * v.scale + v.ox, -state.map.y[i] * v.scale + v.oy];
}

function nearestPoint(px, py, radius = PICK_RADIUS) {
  if (!state.map) return -1;
  const v = state.mapView, m = state.map, g = m.grid, [x0, , y0] = m.bounds;
  const dx = (px - v.ox) / v.scale, dy = (v.oy - py) / v.scale, r = radius / v.scale;
  const c0 = Math.max(0, Math.floor((dx - r - x0) / g.cell)), c1 = Math.min(GRID_CELLS - 1, Math.floor((dx + r - x0) / g.cell));
  const r0 = Math.max(0, Math.floor((dy - r - y0) / g.cell)), r1 = Math.min(GRID_CELLS - 1, Math.floor((dy + r - y0) / g.cell));
  let best = -1, bestD = r * r;
  for (let cy = r0; cy <= r1; cy++) for (let cx = c0; cx <= c1; cx++) {
    const c = cy * GRID_CELLS + cx;
    for (let k = g.start[c]; k < g.start[c + 1]; k++) {
      const i = g.order[k], d = (m.x[i] - dx) ** 2 + (m.y[i] - dy) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    }
  }
  return best;
}

// The points layer is written pixel by pixel: each point adds one to the pixels it covers, and a
// pixel covered c times gets the point colour at the opacity c overlapping translucent squares would
// give (1 − 0.45^c).  For 50,000 points that is a few milliseconds, where 50,000 canvas calls are not.
const POINT_RGB = [43, 76, 126], POINT_ALPHA = 0.55;
const PALETTE = new Uint32Array(16).map((_, c) => {
  const a = Math.round(255 * (1 - (1 - POINT_ALPHA) ** c));
  return ((a << 24) | (POINT_RGB[2] << 16) | (POINT_RGB[1] << 8) | POINT_RGB[0]) >>> 0;
});
let pointsLayer = null, layerCounts = null, layerImage = null;

function renderPoints() {
  const canvas = $("map"), w = canvas.width, h = canvas.height, m = state.map, v = state.mapView;
  const n = m.words.length, s = m.screen;
  if (!pointsLayer || pointsLayer.width !== w || pointsLayer.height !== h) {
    pointsLayer = document.createElement("canvas");
    pointsLayer.width = w; pointsLayer.height = h;
    layerCounts = new Uint8Array(w * h);
    layerImage = new ImageData(w, h);
  }
  layerCounts.fill(0);
  const size = n > 10000 ? 2 : n > 2000 ? 3 : 4;
  for (let i = 0; i < n; i++) {
    const px = m.x[i] * v.scale + v.ox, py = -m.y[i] * v.scale + v.oy;
    s[2 * i] = px; s[2 * i + 1] = py;
    const left = Math.round(px - size / 2), top = Math.round(py - size / 2);
    if (left < 0 || top < 0 || left + size > w || top + size > h) continue;
    for (let dy = 0; dy < size; dy++) {
      let p = (top + dy) * w + left;
      for (let dx = 0; dx < size; dx++, p++) if (layerCounts[p] < 15) layerCounts[p]++;
    }
  }
  const pixels = new Uint32Array(layerImage.data.buffer);
  for (let p = 0; p < pixels.length; p++) pixels[p] = PALETTE[layerCounts[p]];
  pointsLayer.getContext("2d").putImageData(layerImage, 0, 0);
}

function drawMap() {       // any change: redraw at the next animation frame (once, however many changes)
  if (!mapFrame) mapFrame = requestAnimationFrame(paintMap);
}

function mapChanged() { mapDirty = true; drawMap(); }

function paintMap() {
  mapFrame = 0;
  const canvas = $("map"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!state.map) return;
  if (mapDirty) { renderPoints(); mapDirty = false; }
  ctx.drawImage(pointsLayer, 0, 0);
  const s = state.map.screen;
  ctx.font = "12px system-ui, sans-serif";
  const label = (i, colour) => {
    ctx.fillStyle = colour;
    ctx.beginPath(); ctx.arc(s[2 * i], s[2 * i + 1], 4, 0, 2 * Math.PI); ctx.fill();
    ctx.fillStyle = "#111";
    ctx.fillText(state.map.words[i], s[2 * i] + 6, s[2 * i + 1] - 4);
  };
  for (const w of state.highlight) {
    const i = state.map.index.get(w);
    if (i !== undefined) label(i, w === state.focus ? "#cc2626" : "#e08a00");
  }
  ctx.lineWidth = 2;
  for (const [a, b] of state.arrows) {
    const i = state.map.index.get(a), j = state.map.index.get(b);
    if (i === undefined || j === undefined) continue;
    const [xa, ya, xb, yb] = [s[2 * i], s[2 * i + 1], s[2 * j], s[2 * j + 1]];
    ctx.strokeStyle = ctx.fillStyle = "#2ca02c";
    ctx.beginPath(); ctx.moveTo(xa, ya); ctx.lineTo(xb, yb); ctx.stroke();
    const angle = Math.atan2(yb - ya, xb - xa);
    ctx.beginPath(); ctx.moveTo(xb, yb);
    ctx.lineTo(xb - 10 * Math.cos(angle - 0.4), yb - 10 * Math.sin(angle - 0.4));
    ctx.lineTo(xb - 10 * Math.cos(angle + 0.4), yb - 10 * Math.sin(angle + 0.4)); ctx.fill();
    label(i, "#2ca02c"); label(j, "#2ca02c");
  }
  if (mapHover >= 0) label(mapHover, "#000");
}

function canvasPoint(event) {
  const canvas = $("map"), rect = canvas.getBoundingClientRect();
  return [(event.clientX - rect.left) * canvas.width / rect.width, (event.clientY - rect.top) * canvas.height / rect.height];
}

function setUpMapEvents() {
  const canvas = $("map");
  let drag = null, moved = false;
  canvas.addEventListener("mousedown", (e) => { drag = canvasPoint(e); moved = false; });
  window.addEventListener("mouseup", () => { drag = null; });
  canvas.addEventListener("mousemove", (e) => {
    if (!state.map) return;
    const [px, py] = canvasPoint(e);
    if (drag) {
      const v = state.mapView;
      if (Math.abs(px - drag[0]) + Math.abs(py - drag[1]) > 2) moved = true;
      v.ox += px - drag[0]; v.oy += py - drag[1]; drag = [px, py];
      mapChanged();
      return;
    }
    const i = nearestPoint(px, py);
    if (i !== mapHover) {
      mapHover = i;
      $("map-hover").textContent = i >= 0 ? state.map.words[i] : "\u00a0";
      drawMap();
    }
  });
  canvas.addEventListener("click", (e) => {
    if (moved || !state.map) return;
    const [px, py] = canvasPoint(e);
    const i = nearestPoint(px, py);
    if (i >= 0) search(state.map.words[i]);
  });
  canvas.addEventListener("wheel", (e) => {
    if (!state.map) return;
    e.preventDefault();
    const [px, py] = canvasPoint(e), v = state.mapView, f = e.deltaY < 0 ? 1.25 : 0.8;
    v.ox = px - (px - v.ox) * f; v.oy = py - (py - v.oy) * f; v.scale *= f;
    mapChanged();
  }, { passive: false });
}

// -- how word2vec learns ------------------------------------------------------------------------
function dataTable(columns, rows, rowClass, onRow) {
  const table = el("table", { class: "data" });
  table.append(el("thead", {}, el("tr", {}, ...columns.map((c) => el("th", {}, c)))));
  const body = el("tbody");
  rows.forEach((row, k) => {
    const tr = el("tr", { class: rowClass ? rowClass(row, k) : "" },
      ...row.map((v) => typeof v === "number" && !Number.isInteger(v)
        ? el("td", { class: "num" }, v.toFixed(4)) : el("td", { class: typeof v === "number" ? "num" : "" }, v)));
    if (onRow) tr.addEventListener("click", () => onRow(k));
    body.append(tr);
  });
  table.append(body);
  return table;
}

let pairsTimer = null;
function schedulePairs() { clearTimeout(pairsTimer); pairsTimer = setTimeout(loadPairs, 150); }

async function loadPairs() {
  $("window-value").textContent = $("window").value;
  $("negatives-value").textContent = $("negatives").value;
  const r = await api("pairs", { sentence: $("sentence").value, window: $("window").value,
                                 mode: $("learn-mode").value, negative: $("negatives").value });
  if (!r.ok) { $("samples").replaceChildren(el("p", { class: "note" }, r.body.error)); state.pairs = null; return; }
  state.pairs = r.body;
  const slider = $("sample");
  slider.max = Math.max(0, r.body.samples.length - 1);
  state.sample = Math.min(state.sample, Number(slider.max));
  slider.value = state.sample;
  showSample();
}

function showSample() {
  const p = state.pairs;
  if (!p) return;
  const sample = p.samples[state.sample];
  const tokens = $("tokens");
  tokens.replaceChildren(...p.tokens.map((t, i) => {
    let cls = "";
    if (sample) {
      const lo = p.mode === "lm" ? sample.centre - p.window : sample.centre - p.window;
      const hi = p.mode === "lm" ? sample.centre : sample.centre + p.window;
      if (i >= lo && i <= hi) cls = "context";
      if (sample.inputs.includes(i)) cls = "input";
      if (i === sample.output) cls = "output";
    }
    const span = el("span", { class: cls }, t);
    span.dataset.index = i;
    return span;
  }));
  $("sample-info").textContent = sample
    ? `sample ${state.sample + 1} of ${p.samples.length}: input ${sample.inputs.map((i) => p.tokens[i]).join(" ")} → output ${p.tokens[sample.output]}`
    : "no samples (the sentence is shorter than the window)";
  const [from, to] = sample ? sample.rows : [-1, -1];
  const targetColumn = p.columns.indexOf("target");
  const box = $("samples");
  box.replaceChildren(dataTable(p.columns, p.rows,
    (row, k) => (k >= from && k < to ? "current" : "") + (targetColumn >= 0 && row[targetColumn] === 0 ? " negative" : ""),
    (k) => { state.sample = Math.floor(k / (1 + p.negative)); $("sample").value = state.sample; showSample(); }));
  const current = box.querySelector("tr.current");
  if (current) current.scrollIntoView({ block: "nearest" });
}

async function runStep() {
  const p = state.pairs, box = $("step");
  if (!p || !p.samples.length) return;
  if (!state.info.step) { box.replaceChildren(el("p", { class: "note" }, "a training step needs a full model trained with negative sampling")); return; }
  const sample = p.samples[state.sample];
  const input = p.tokens[sample.inputs[0]], output = p.tokens[sample.output];
  const r = await api("step", { input, output, negative: Math.max(1, Number($("negatives").value)) });
  if (!r.ok) { box.replaceChildren(el("p", { class: "note" }, r.body.error)); return; }
  const s = r.body, k = s.output_words.length, matrix = s.softmax ? "output" : "context";
  const labels = [`embedding ${s.input} before`, `embedding ${s.input} after`,
    ...s.output_words.map((w) => `${matrix} ${w} before`), ...s.output_words.map((w) => `${matrix} ${w} after`)];
  const values = [s.input_before, s.input_after, ...s.context_before, ...s.context_after];
  const order = [0, 1];
  for (let j = 0; j < k; j++) order.push(2 + j, 2 + k + j);
  const o = s.others;
  box.replaceChildren(
    el("p", {}, `learning rate ${s.alpha}; loss ${s.loss.toFixed(4)} before the step, ${s.loss_after.toFixed(4)} after`),
    ...(s.softmax ? [el("p", { class: "muted" }, `Full softmax: a prediction over all ${s.vocabulary.toLocaleString()} words, ` +
      "the one-hot target of the output word, error = target − prediction.")] : []),
    dataTable(s.columns, s.rows),
    ...(s.softmax && o.words ? [el("p", { class: "muted" }, `the other ${o.words.toLocaleString()} words: prediction ` +
      `${o.probability.toFixed(4)} in all, error ${o.error.toFixed(4)} in all, after ${o.probability_after.toFixed(4)}`)] : []),
    el("p", { class: "muted" }, s.softmax
      ? "The rows the step changed (embedding row of the input word; every output row moves, shown: the table's words):"
      : "The rows the step changed (embedding row of the input word, context rows of the output words):"),
    rowsTable(order.map((i) => labels[i]), order.map((i) => values[i]), order.map((i) => s.colors[i]), [], false));
}

// -- items and next-word prediction -----------------------------------------------------------------
const itemLabel = (r) => r.name ? `${r.item} — ${r.name}` : r.item;

async function itemSimilar(item) {
  const r = await api("items/similar", { item, n: 10 });
  const list = $("items-similar");
  if (!r.ok) { list.replaceChildren(el("li", { class: "note" }, r.body.error)); return; }
  ranked(list, r.body.results, (x) => addHistory(x.item), "score", itemLabel);
}

async function addHistory(item) {
  state.history.push(item);
  $("history").replaceChildren(...state.history.map((h) => el("li", {}, h)));
  const r = await api("items/recommend", { history: state.history, n: 10 });
  const list = $("items-recommend");
  if (!r.ok) { list.replaceChildren(el("li", { class: "note" }, r.body.error)); return; }
  ranked(list, r.body.results, (x) => addHistory(x.item), "score", itemLabel);
}

async function predict() {
  const words = $("predict-input").value.split(/\s+/).filter(Boolean);
  const list = $("predict-results");
  if (!words.length) { list.replaceChildren(); return; }
  const r = await api("predict", { context: words, n: 10 });
  if (!r.ok) { list.replaceChildren(el("li", { class: "note" }, r.body.error)); return; }
  ranked(list, r.body.results, (x) => { $("predict-input").value += " " + x.word; predict(); }, "probability");
}

// -- start ------------------------------------------------------------------------------------
async function start() {
  const r = await api("info");
  const info = state.info = r.body;
  $("model-info").textContent = `${info.source || "model"}: ${info.keys.toLocaleString()} ${info.items ? "items" : "words"} × ${info.vector_size} dimensions (${info.kind})`;
  const stops = info.colors.stops;
  $("legend").style.background = `linear-gradient(to right, ${stops.map((s) => s[1]).join(", ")})`;
  $("legend").title = stops.map((s) => `${s[0]}: ${s[1]}`).join("  ");
  $("agree-min").textContent = info.colors.agree_min;
  $("map-method").replaceChildren(...info.map_methods.map((m) => el("option", { value: m }, m.toUpperCase())));
  $("map-n").max = info.map_max;
  $("map-n").value = Math.min(info.map_default, info.map_max);
  $("window").max = Math.min(5, info.limits.window);
  $("negatives").max = info.pairs_negatives ? Math.min(5, info.limits.negative) : 0;
  $("items-section").hidden = !info.items;
  $("predict-section").hidden = !info.predict;

  $("search").addEventListener("input", (e) => complete(e.target.value));
  $("row-word").addEventListener("input", (e) => complete(e.target.value));
  $("item-search").addEventListener("input", (e) => complete(e.target.value));
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); search($("search").value); });
  $("rows-form").addEventListener("submit", (e) => { e.preventDefault(); addRow($("row-word").value); });
  $("analogy-form").addEventListener("submit", (e) => { e.preventDefault(); analogy(); });
  $("odd-form").addEventListener("submit", (e) => { e.preventDefault(); oddOneOut(); });
  $("map-form").addEventListener("submit", (e) => { e.preventDefault(); loadMap(); });
  for (const id of ["sentence", "learn-mode", "window", "negatives"]) $(id).addEventListener("input", schedulePairs);
  $("sample").addEventListener("input", (e) => { state.sample = Number(e.target.value); showSample(); });
  $("prev-sample").addEventListener("click", () => { state.sample = Math.max(0, state.sample - 1); $("sample").value = state.sample; showSample(); });
  $("next-sample").addEventListener("click", () => { state.sample = Math.min(Number($("sample").max), state.sample + 1); $("sample").value = state.sample; showSample(); });
  $("step-button").addEventListener("click", runStep);
  $("items-form").addEventListener("submit", (e) => { e.preventDefault(); const v = $("item-search").value.trim(); if (v) { itemSimilar(v); } });
  $("history-clear").addEventListener("click", () => { state.history = []; $("history").replaceChildren(); $("items-recommend").replaceChildren(); });
  let predictTimer = null;
  $("predict-input").addEventListener("input", () => { clearTimeout(predictTimer); predictTimer = setTimeout(predict, 150); });
  setUpMapEvents();

  const first = info.first_keys.find((w) => w.length > 3) || info.first_keys[0];
  const seed = new URLSearchParams(location.search).get("word") || first;
  if (!info.items) {
    await search(seed);
    state.rows = [seed];
    showRows();
  } else {
    itemSimilar(seed);
  }
  loadPairs();
  loadMap();
  document.body.dataset.ready = "1";
}

start();
