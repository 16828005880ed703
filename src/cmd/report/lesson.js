// The lesson page's script: draws the engine's numbers (the JSON in #lesson-data) as the
// net, tables and charts, and steps through the backward sweep. No network access, no
// libraries; text from the data is only ever set as textContent.
"use strict";

const DATA = JSON.parse(document.getElementById("lesson-data").textContent);
const SVG_NS = "http://www.w3.org/2000/svg";

// ---- small helpers ----------------------------------------------------------------------

/** An element with attributes and children (strings become text nodes). */
function make(ns, tag, attrs, kids) {
  const e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  for (const kid of kids || []) {
    e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return e;
}
const html = (tag, attrs, ...kids) => make(null, tag, attrs, kids);
const svg = (tag, attrs, ...kids) => make(SVG_NS, tag, attrs, kids);

/** A number to `digits` significant digits, short; "—" for a missing (non-finite) one. */
function fmt(x, digits = 4) {
  if (x === null || x === undefined) return "—";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}

/** A table cell holding a number: short text, full precision in data-value and a tooltip. */
function numCell(x, digits) {
  const full = x === null ? "" : String(x);
  return html("td", { class: "num", "data-value": full, title: full }, fmt(x, digits));
}

/** About `count` round tick values (1, 2 or 5 times a power of ten apart) in [lo, hi]. */
function ticks(lo, hi, count) {
  const raw = (hi - lo) / count, power = 10 ** Math.floor(Math.log10(raw));
  const step = power * ([1, 2, 5, 10].find((m) => m * power >= raw) || 10);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function fillTable(table, head, rows) {
  table.replaceChildren(
    html("thead", {}, html("tr", {}, ...head.map((h, i) => html("th", { class: i ? null : "name", scope: "col" }, h)))),
    html("tbody", {}, ...rows)
  );
}

const nodes = DATA.trace.nodes;
const name = (i) => nodes[i].name;

// ---- 1. the net, drawn left to right as in the slides -----------------------------------

/** Columns: an op one right of its furthest operand, a leaf just left of its first user.
 *  Rows: weights above, ops in the middle, data below (in the middle if alone). */
function layout() {
  const layer = nodes.map(() => 0);
  const users = nodes.map(() => []);
  for (const n of nodes) {
    for (const o of n.operands) users[o.node].push(n.index);
    if (n.operands.length) layer[n.index] = 1 + Math.max(...n.operands.map((o) => layer[o.node]));
  }
  for (const n of nodes) {
    if (!n.operands.length && users[n.index].length) {
      layer[n.index] = Math.max(0, Math.min(...users[n.index].map((u) => layer[u])) - 1);
    }
  }
  const hasOp = new Set(nodes.filter((n) => n.role === "op").map((n) => layer[n.index]));
  const row = nodes.map((n) =>
    n.role === "weight" ? 0 : n.role === "op" || !hasOp.has(layer[n.index]) ? 1 : 2);
  const seen = new Map();
  const slot = nodes.map((n) => {
    const key = layer[n.index] + "/" + row[n.index];
    const k = seen.get(key) || 0;
    seen.set(key, k + 1);
    return k;
  });
  return { layer, row, slot, columns: Math.max(...layer) + 1 };
}

const net = { width: 1100, height: 370, pos: [] }; // width set by the layout

function drawNet() {
  const { layer, row, slot, columns } = layout();
  // each column as wide as its widest box, with room for the edge labels between columns
  const box = (n) => Math.max(44, 8 * n.name.length + 16);
  const gap = 70;
  const colWidth = Array.from({ length: columns }, (_, c) =>
    Math.max(44, ...nodes.filter((n) => layer[n.index] === c).map(box)));
  const colX = [];
  colWidth.reduce((left, w, c) => { colX[c] = left + w / 2; return left + w + gap; }, 30);
  net.width = Math.max(900, colX[columns - 1] + colWidth[columns - 1] / 2 + 30);
  const rowY = [62, 170, 275];
  net.pos = nodes.map((n) => ({
    x: colX[layer[n.index]],
    y: rowY[row[n.index]] + slot[n.index] * 46,
  }));
  const figure = svg("svg", {
    viewBox: `0 0 ${net.width} ${net.height}`, role: "img",
    "aria-label": "the lecture's network, inputs on the left, the cost C on the right",
  });
  figure.append(svg("defs", {},
    svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#64748b" }))));
  for (const n of nodes) {
    n.operands.forEach((o, slotIndex) => {
      const a = net.pos[o.node], b = net.pos[n.index];
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const [ux, uy] = [(b.x - a.x) / len, (b.y - a.y) / len];
      const ha = box(nodes[o.node]) / 2, hb = box(n) / 2;
      const clip = (half) => Math.min(len / 2 - 2, Math.abs(uy) > 0.45 ? 20 : half + 2);
      const [ca, cb] = [clip(ha), clip(hb)];
      const g = svg("g", {
        class: "edge", id: `edge-${o.node}-${n.index}-${slotIndex}`,
        "data-source": o.node, "data-target": n.index, "data-slot": slotIndex,
      });
      g.append(svg("line", {
        x1: a.x + ux * ca, y1: a.y + uy * ca, x2: b.x - ux * cb, y2: b.y - uy * cb,
        "marker-end": "url(#arrow)",
      }));
      const pass = passFor(o.node, n.index, slotIndex);
      const label = `∂${n.name}/∂${nodes[o.node].name} = ${pass ? pass.symbol + " = " : ""}${o.partial}`;
      g.append(svg("title", {}, label));
      // across a straight edge: above its middle; on a slanted one: beside it, near the source
      const slanted = Math.abs(uy) > 0.45;
      const f = slanted ? 0.4 : 0.5;
      g.append(svg("text", {
        x: a.x + (b.x - a.x) * f + (slanted ? 8 : 0), y: a.y + (b.y - a.y) * f - (slanted ? 0 : 6),
        "text-anchor": slanted ? "start" : "middle",
      }, fmt(o.partial, 3)));
      figure.append(g);
    });
  }
  for (const n of nodes) {
    const p = net.pos[n.index], w = box(n);
    const g = svg("g", { class: `node ${n.role}`, id: `node-${n.index}`, "data-node": n.index });
    g.append(svg("title", {}, `${n.name} = ${n.role === "op" ? n.expression + " = " : ""}${n.value} (${n.role})`));
    g.append(svg("rect", { x: p.x - w / 2, y: p.y - 17, width: w, height: 34, rx: 8 }));
    g.append(svg("text", { x: p.x, y: p.y + 5, "text-anchor": "middle" }, n.name));
    // value and adjoint below the box; above it for the top row, whose edges leave downwards
    const [vy, ay] = row[n.index] === 0 ? [p.y - 37, p.y - 22] : [p.y + 31, p.y + 46];
    g.append(svg("text", { class: "value", x: p.x, y: vy, "text-anchor": "middle" }, "= " + fmt(n.value)));
    g.append(svg("text", { class: "adj", id: `adj-${n.index}`, x: p.x, y: ay, "text-anchor": "middle" }));
    figure.append(g);
  }
  const legend = svg("g", { class: "legend", transform: `translate(12 ${net.height - 12})` });
  [["weight", "weight (trained)"], ["data", "data (s0, target)"], ["op", "computed node"]].forEach(([role, text], i) => {
    legend.append(svg("rect", { x: i * 170, y: -11, width: 14, height: 14, rx: 3, class: role, fill: role === "weight" ? "#fff7ed" : role === "data" ? "#eff6ff" : "#fff", stroke: role === "weight" ? "#b45309" : role === "data" ? "#2563eb" : "#334155" }));
    legend.append(svg("text", { x: i * 170 + 20, y: 1 }, text));
  });
  legend.append(svg("text", { x: 520, y: 1 }, "edge labels: local partials; δ: adjoint dC/d(node)"));
  figure.append(legend);
  document.getElementById("net-figure").replaceChildren(figure);
  const pt = DATA.point;
  document.getElementById("net-point").textContent =
    `At the slides' point: s0 = ${pt.s0}, w = (${pt.weights.join(", ")}), target = ${pt.target}. ` +
    "Hover a node or an edge for its formula and full-precision value.";
}

// ---- the backward sweep, one edge at a time ----------------------------------------------

/** Every contribution of the sweep in order: the node swept, and what one edge passes on. */
const events = DATA.trace.sweep.flatMap((step) => step.passes.map((pass) => ({ step, pass })));
const root = DATA.trace.root;
let shown = 0; // how many contributions are applied
let timer = null;

function passFor(source, target, slot) {
  const step = DATA.trace.sweep.find((s) => s.node === target);
  return step && step.passes.find((p) => p.source === source && p.slot === slot);
}

/** The adjoints after the first k contributions, as the engine's running sums. */
function adjointsAfter(k) {
  const adj = new Map([[root, 1]]);
  for (const e of events.slice(0, k)) adj.set(e.pass.source, e.pass.sum);
  return adj;
}

function render() {
  const adj = adjointsAfter(shown);
  const current = shown > 0 ? events[shown - 1] : null;
  const finished = shown === events.length;
  const sweeping = current ? current.step.node : root;
  for (const n of nodes) {
    const text = document.getElementById(`adj-${n.index}`);
    let value = adj.has(n.index) ? adj.get(n.index) : null;
    if (value === null && (finished || n.index > sweeping)) value = 0; // its turn came: nothing reached it
    text.textContent = value === null ? "" : "δ = " + fmt(value);
    if (value === null) text.removeAttribute("data-value");
    else text.setAttribute("data-value", String(value));
    document.getElementById(`node-${n.index}`).classList.toggle("current", !finished && current !== null && n.index === sweeping);
  }
  document.querySelectorAll(".edge").forEach((g) => {
    const i = events.findIndex((e) =>
      e.pass.source === Number(g.dataset.source) && e.pass.target === Number(g.dataset.target) &&
      e.pass.slot === Number(g.dataset.slot));
    g.classList.toggle("current", i === shown - 1 && i >= 0);
    g.classList.toggle("done", i >= 0 && i < shown - 1);
  });
  const status = document.getElementById("sweep-status");
  status.dataset.step = String(shown);
  if (!current) {
    status.textContent = `Step 0 of ${events.length}: the sweep starts at C with dC/dC = 1. ` +
      "Press step (or →) to pass it on, one edge at a time.";
  } else {
    const p = current.pass;
    status.textContent = `Step ${shown} of ${events.length}: ${p.to} → ${p.from}. ` +
      `δ(${p.to}) = ${fmt(current.step.adjoint)} × ∂${p.to}/∂${p.from} = ${p.symbol} = ${fmt(p.partial)} ` +
      `adds ${fmt(p.amount)}; dC/d${p.from} is now ${fmt(p.sum)}.` +
      (finished ? " Done: every weight's δ is its gradient dC/dw." : "");
  }
  const rows = events.slice(0, shown).map((e, i) => html("tr", { class: i === shown - 1 ? "current" : null },
    html("td", {}, String(i + 1)), html("td", { class: "name" }, `${e.pass.to} → ${e.pass.from}`),
    numCell(e.step.adjoint), html("td", { class: "name" }, e.pass.symbol), numCell(e.pass.partial),
    numCell(e.pass.amount), numCell(e.pass.sum)));
  fillTable(document.getElementById("sweep-log"),
    ["#", "edge (node → operand)", "δ(node)", "local partial", "value", "adds", "operand's δ now"], rows);
  document.getElementById("back").disabled = shown === 0;
  document.getElementById("reset").disabled = shown === 0;
  document.getElementById("step").disabled = finished;
  document.getElementById("play").disabled = finished;
  if (finished) stop();
}

function go(k) {
  shown = Math.max(0, Math.min(events.length, k));
  render();
}

function stop() {
  if (timer !== null) clearInterval(timer);
  timer = null;
  document.getElementById("play").textContent = "play";
}

function play() {
  if (timer !== null) return stop();
  if (shown === events.length) go(0);
  document.getElementById("play").textContent = "pause";
  timer = setInterval(() => go(shown + 1), 900);
}

function wireControls() {
  document.getElementById("step").addEventListener("click", () => go(shown + 1));
  document.getElementById("back").addEventListener("click", () => go(shown - 1));
  document.getElementById("reset").addEventListener("click", () => { stop(); go(0); });
  document.getElementById("play").addEventListener("click", play);
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowRight") { go(shown + 1); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { go(shown - 1); e.preventDefault(); }
  });
}

// ---- 2. forward table, 3. explain, 4. check, 6. Hessian --------------------------------

function drawForward() {
  const rows = nodes.map((n) => html("tr", { "data-node": n.index },
    html("td", { class: "name" }, n.name),
    html("td", { class: "name" }, n.role === "op" ? n.expression : n.role),
    numCell(n.value), html("td", { class: "num" }, String(n.value))));
  fillTable(document.getElementById("forward-table"), ["node", "computed as", "value", "full precision"], rows);
}

function drawExplain() {
  const list = document.getElementById("explain-list");
  for (const w of DATA.explain) {
    const block = html("div", { class: "explain", "data-weight": w.weight });
    block.append(html("h3", {}, `dC/d${w.weight}: ${w.paths} path${w.paths === "1" ? "" : "s"} from ${w.weight} to C`));
    w.listed.forEach((path, k) => {
      const route = [path.factors[0].from, ...path.factors.map((f) => f.to)].join(" → ");
      block.append(html("p", { class: "path-route" }, `path ${k + 1}: ${route}`));
      const rows = path.factors.map((f) => html("tr", {},
        html("td", { class: "name" }, `∂${f.to}/∂${f.from}`), html("td", { class: "name" }, f.symbol), numCell(f.value, 6)));
      rows.push(html("tr", {}, html("td", { class: "name" }, html("strong", {}, "product")), html("td", {}), numCell(path.product, 10)));
      const table = html("table", {});
      fillTable(table, ["factor", "formula", "value"], rows);
      block.append(html("div", { class: "scroll" }, table));
    });
    if (w.left_out !== "0") {
      block.append(html("p", {}, `… ${w.left_out} more paths not listed, carrying ${fmt(w.left_out_share)} of the gradient`));
    }
    block.append(html("p", {}, `sum over paths = ${w.sum_of_listed}; the tape's dC/d${w.weight} = ${w.tape}`));
    list.append(block);
  }
}

function drawCheck() {
  const c = DATA.check;
  const rows = c.gradients.map((r) => html("tr", { "data-weight": r.weight },
    html("td", { class: "name" }, r.weight), numCell(r.value), numCell(r.tape, 16), numCell(r.formula, 16),
    numCell(r.finite_difference, 16), numCell(r.tape_minus_formula, 2), numCell(r.tape_minus_finite_difference, 2)));
  fillTable(document.getElementById("check-table"),
    ["dC/dw", "w", "tape", "slide formula", "finite difference", "|tape − formula|", "|tape − fd|"], rows);
}

function drawHessian() {
  const h = DATA.hessian;
  const names = h.tape.map((_, i) => "w" + i);
  let worst = 0;
  const rows = h.tape.map((row, i) => html("tr", {}, html("th", { class: "name", scope: "row" }, names[i]),
    ...row.map((t, j) => {
      worst = Math.max(worst, Math.abs(t - h.formula[i][j]));
      return html("td", { class: "num", "data-tape": String(t), "data-formula": String(h.formula[i][j]), title: `tape ${t}\nformula ${h.formula[i][j]}` },
        `${fmt(t, 6)} / ${fmt(h.formula[i][j], 6)}`);
    })));
  fillTable(document.getElementById("hessian-table"), ["tape / formula", ...names], rows);
  document.getElementById("hessian-table").after(html("p", {}, `Largest |tape − formula|: ${fmt(worst, 2)}.`));
}

// ---- 5. training: curves and the cost surface --------------------------------------------

const COLORS = ["#b45309", "#2563eb", "#059669", "#7c3aed", "#db2777"];

/** A line chart: x on a log10(step + 1) axis, y linear or log10. */
function chart(id, series, opts) {
  const W = 600, H = 330, L = 62, R = 150, T = 14, B = 44;
  const maxStep = Math.max(...DATA.training.records.map((r) => r.step));
  const sx = (s) => L + (W - L - R) * Math.log10(s + 1) / Math.log10(maxStep + 1);
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).concat(opts.extra || []).filter(Number.isFinite);
  let lo = Math.min(...ys), hi = Math.max(...ys);
  if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.06; lo -= pad; hi += pad;
  const sy = (y) => T + (H - T - B) * (1 - (y - lo) / (hi - lo));
  const fig = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": opts.label, class: "chart" });
  for (let e = 0; 10 ** e <= maxStep + 1; e++) {
    const x = sx(10 ** e - 1);
    fig.append(svg("line", { class: "grid", x1: x, x2: x, y1: T, y2: H - B }));
    fig.append(svg("text", { class: "tick", x, y: H - B + 16, "text-anchor": "middle" }, e === 0 ? "0" : (10 ** e).toLocaleString("en")));
  }
  // a log axis ticks whole powers of ten
  const yTicks = opts.logY ? ticks(lo, hi, 5).filter(Number.isInteger) : ticks(lo, hi, 5);
  for (const y of yTicks.length ? yTicks : [lo, hi]) {
    fig.append(svg("line", { class: "grid", x1: L, x2: W - R, y1: sy(y), y2: sy(y) }));
    fig.append(svg("text", { class: "tick", x: L - 6, y: sy(y) + 4, "text-anchor": "end" }, opts.logY ? "1e" + y : fmt(y, 3)));
  }
  fig.append(svg("text", { class: "tick", x: (W + L) / 2, y: H - 6, "text-anchor": "middle" }, "step (log scale)"));
  fig.append(svg("text", { class: "tick", x: 14, y: T + (H - T - B) / 2, transform: `rotate(-90 14 ${T + (H - T - B) / 2})`, "text-anchor": "middle" }, opts.yLabel));
  const legend = [];
  series.forEach((s, k) => {
    const color = s.color || COLORS[k % COLORS.length];
    if (s.level !== undefined && s.level !== null) {
      fig.append(svg("line", { x1: L, x2: W - R, y1: sy(s.level), y2: sy(s.level), stroke: color, "stroke-dasharray": "6 4", "stroke-width": 1.4 }));
      legend.push([color, `true ${s.name} = ${s.level}`, true]);
    }
    const d = s.points.filter((p) => Number.isFinite(p[1])).map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)} ${sy(p[1]).toFixed(1)}`).join(" ");
    fig.append(svg("path", { d, fill: "none", stroke: color, "stroke-width": 2 }));
    legend.unshift([color, s.name, false]);
  });
  legend.sort((a, b) => a[2] - b[2]);
  legend.forEach(([color, text, dashed], i) => {
    const y = T + 12 + i * 18, x = W - R + 12;
    fig.append(svg("line", { x1: x, x2: x + 22, y1: y - 4, y2: y - 4, stroke: color, "stroke-width": 2, "stroke-dasharray": dashed ? "6 4" : null }));
    fig.append(svg("text", { class: "legend", x: x + 28, y }, text));
  });
  fig.append(svg("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }));
  fig.append(svg("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
  document.getElementById(id).replaceChildren(fig);
}

/** Viridis-like colour for t in [0, 1]. */
function colour(t) {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return `rgb(${c.join(",")})`;
}

function drawSurface() {
  const t = DATA.training, s = t.surface, n = s.n;
  const W = 700, H = 560, L = 64, R = 130, T = 16, B = 48;
  const sx = (v) => L + (W - L - R) * (v - s.x.lo) / (s.x.hi - s.x.lo);
  const sy = (v) => T + (H - T - B) * (1 - (v - s.y.lo) / (s.y.hi - s.y.lo));
  const finite = s.log10_cost.filter((v) => v !== null && Number.isFinite(v));
  const lo = Math.min(...finite), hi = Math.max(...finite);
  const fig = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "cost surface over w1 and w2 with the descent path" });
  const cw = (W - L - R) / (n - 1), ch = (H - T - B) / (n - 1);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const v = s.log10_cost[j * n + i];
      const x = s.x.lo + (s.x.hi - s.x.lo) * i / (n - 1), y = s.y.lo + (s.y.hi - s.y.lo) * j / (n - 1);
      fig.append(svg("rect", {
        x: (sx(x) - cw / 2).toFixed(1), y: (sy(y) - ch / 2).toFixed(1), width: (cw + 0.6).toFixed(1), height: (ch + 0.6).toFixed(1),
        fill: v === null ? "#bbb" : colour((v - lo) / (hi - lo || 1)),
      }));
    }
  }
  // frame over the half cells at the edges
  fig.append(svg("rect", { x: 0, y: 0, width: L - 1, height: H, fill: "#fff" }));
  fig.append(svg("rect", { x: W - R + 1, y: 0, width: R, height: H, fill: "#fff" }));
  fig.append(svg("rect", { x: 0, y: 0, width: W, height: T - 1, fill: "#fff" }));
  fig.append(svg("rect", { x: 0, y: H - B + 1, width: W, height: B, fill: "#fff" }));
  for (const vx of ticks(s.x.lo, s.x.hi, 5)) {
    fig.append(svg("text", { class: "tick", x: sx(vx), y: H - B + 16, "text-anchor": "middle" }, fmt(vx, 3)));
  }
  for (const vy of ticks(s.y.lo, s.y.hi, 5)) {
    fig.append(svg("text", { class: "tick", x: L - 6, y: sy(vy) + 4, "text-anchor": "end" }, fmt(vy, 3)));
  }
  fig.append(svg("text", { class: "tick", x: (W - R + L) / 2, y: H - 8, "text-anchor": "middle" }, s.x.weight));
  fig.append(svg("text", { class: "tick", x: 16, y: (H - B + T) / 2, transform: `rotate(-90 16 ${(H - B + T) / 2})` }, s.y.weight));
  const path = t.records.map((r) => `${sx(r.weights[1]).toFixed(1)},${sy(r.weights[2]).toFixed(1)}`).join(" ");
  fig.append(svg("polyline", { points: path, fill: "none", stroke: "#fff", "stroke-width": 4, opacity: 0.7 }));
  fig.append(svg("polyline", { points: path, fill: "none", stroke: "#dc2626", "stroke-width": 2 }));
  const first = t.records[0].weights, last = t.records[t.records.length - 1].weights;
  const marks = [];
  if (t.truth) {
    const [x, y] = [sx(t.truth[1]), sy(t.truth[2])];
    const cross = `M${x - 9} ${y - 9}L${x + 9} ${y + 9}M${x - 9} ${y + 9}L${x + 9} ${y - 9}`;
    fig.append(svg("path", { d: cross, stroke: "#fff", "stroke-width": 6 }));
    fig.append(svg("path", { d: cross, stroke: "#111", "stroke-width": 2.5 }));
    marks.push(["cross", `true weights (${t.truth[1]}, ${t.truth[2]})`]);
  }
  fig.append(svg("circle", { cx: sx(first[1]), cy: sy(first[2]), r: 7, fill: "none", stroke: "#fff", "stroke-width": 2.5 }));
  fig.append(svg("circle", { cx: sx(last[1]), cy: sy(last[2]), r: 5, fill: "#dc2626", stroke: "#fff", "stroke-width": 1.5 }));
  marks.unshift(["start", `start (${fmt(first[1])}, ${fmt(first[2])})`], ["end", `end (${fmt(last[1])}, ${fmt(last[2])})`], ["path", "descent path"]);
  const key = svg("g", { transform: `translate(${W - R + 14} ${T})` });
  key.append(svg("text", { class: "legend", x: 0, y: 10 }, "log10 mean C"));
  for (let k = 0; k <= 40; k++) {
    key.append(svg("rect", { x: 0, y: 18 + (40 - k) * 5, width: 18, height: 5.5, fill: colour(k / 40) }));
  }
  [0, 0.5, 1].forEach((f) => key.append(svg("text", { class: "tick", x: 24, y: 22 + (1 - f) * 200 }, (lo + (hi - lo) * f).toFixed(1))));
  marks.forEach(([kind, text], i) => {
    const y = 250 + i * 44;
    const g = svg("g", { transform: `translate(0 ${y})` });
    if (kind === "path") g.append(svg("line", { x1: 0, x2: 18, y1: 0, y2: 0, stroke: "#dc2626", "stroke-width": 2 }));
    if (kind === "start") g.append(svg("circle", { cx: 9, cy: 0, r: 6, fill: "none", stroke: "#333", "stroke-width": 2 }));
    if (kind === "end") g.append(svg("circle", { cx: 9, cy: 0, r: 5, fill: "#dc2626" }));
    if (kind === "cross") g.append(svg("path", { d: "M2 -7L16 7M2 7L16 -7", stroke: "#333", "stroke-width": 2.5 }));
    const words = text.split(" (");
    g.append(svg("text", { class: "legend", x: 0, y: 18 }, words[0]));
    if (words[1]) g.append(svg("text", { class: "tick", x: 0, y: 32 }, "(" + words[1]));
    key.append(g);
  });
  fig.append(key);
  document.getElementById("surface-chart").replaceChildren(fig);
  document.getElementById("surface-caption").textContent =
    `The cost surface over ${s.x.weight} and ${s.y.weight}: log10 of the mean C over ${t.cost_rows} evenly spaced rows, ` +
    `with ${s.held.weight} held fixed at its final value ${s.held.value}. The red line is the descent path projected ` +
    `onto (${s.x.weight}, ${s.y.weight}); it moves in ${s.held.weight} too, so it need not follow this slice's valleys.`;
}

function drawTraining() {
  const t = DATA.training;
  document.getElementById("training-summary").textContent =
    `Data: ${t.source}. The lecture's online gradient descent: rows in order, all weights updated ` +
    `from one forward pass, alpha ${t.alpha}, ${t.epochs} epochs, ${t.steps.toLocaleString("en")} steps.`;
  const head = ["weight", "start", "recovered"].concat(t.truth ? ["true", "rel. error"] : []);
  const rows = t.final.map((w, k) => html("tr", { "data-weight": "w" + k },
    html("td", { class: "name" }, "w" + k), numCell(t.records[0].weights[k]), numCell(w, 8),
    ...(t.truth ? [numCell(t.truth[k]), numCell(Math.abs(w - t.truth[k]) / Math.abs(t.truth[k]), 3)] : [])));
  fillTable(document.getElementById("training-table"), head, rows);
  const weights = t.final.map((_, k) => ({
    name: "w" + k, points: t.records.map((r) => [r.step, r.weights[k]]), level: t.truth ? t.truth[k] : null,
  }));
  chart("weights-chart", weights, { label: "weights against step", yLabel: "weight", extra: t.truth || [] });
  const cost = [{ name: "mean C", color: "#334155", points: t.records.map((r) => [r.step, r.cost > 0 ? Math.log10(r.cost) : NaN]) }];
  chart("cost-chart", cost, { label: "cost against step", yLabel: "mean C (log scale)", logY: true });
  document.getElementById("cost-caption").textContent =
    `The mean cost C over ${t.cost_rows} evenly spaced rows of the data, at ${t.records.length} steps of the run.`;
  drawSurface();
}

// ---- start ------------------------------------------------------------------------------

drawNet();
drawForward();
drawExplain();
drawCheck();
drawTraining();
drawHessian();
wireControls();
render();
document.body.dataset.ready = "true";
