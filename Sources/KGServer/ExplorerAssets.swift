/// The explorer: one page, its style and its script, served by the binary (nothing is loaded
/// from elsewhere). The state is in the URL's fragment (`#/entity?term=armenia`), so a view can
/// be bookmarked; every control is a link or a button, so the keyboard reaches it.
enum ExplorerAssets {
    static let page = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kglog explorer</title>
<link rel="stylesheet" href="/explorer.css">
</head>
<body>
<header>
  <a class="brand" href="#/query">kglog</a>
  <nav>
    <a href="#/query" data-view="query">Query</a>
    <a href="#/sources" data-view="sources">Sources</a>
    <a href="#/predicates" data-view="predicates">Predicates</a>
  </nav>
</header>
<main id="main" tabindex="-1"></main>
<script src="/explorer.js"></script>
</body>
</html>
"""#

    static let style = #"""
:root { --ink: #1d2430; --muted: #5d6b7e; --line: #d5dbe3; --accent: #2459a8; --soft: #eef3fa; --warn: #a8431f; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fafbfc; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1rem; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
.brand { font-weight: 700; color: var(--ink); text-decoration: none; font-size: 1.1rem; }
nav { display: flex; gap: 1rem; }
nav a { color: var(--muted); text-decoration: none; padding: .2rem 0; border-bottom: 2px solid transparent; }
nav a.current { color: var(--ink); border-bottom-color: var(--accent); }
main { padding: 1rem; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.25rem; margin: .2rem 0 .8rem; overflow-wrap: anywhere; }
h2 { font-size: 1rem; margin: 1.2rem 0 .5rem; color: var(--muted); }
a { color: var(--accent); }
a:focus, button:focus, textarea:focus, circle:focus { outline: 2px solid var(--accent); outline-offset: 2px; }
textarea { width: 100%; min-height: 5.5rem; font: 14px/1.4 ui-monospace, Menlo, Consolas, monospace; padding: .5rem; border: 1px solid var(--line); border-radius: 6px; }
button { white-space: nowrap; font: inherit; padding: .35rem .9rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 6px; cursor: pointer; }
button.plain { background: #fff; color: var(--accent); }
.row { display: flex; gap: .6rem; align-items: center; margin: .5rem 0; flex-wrap: wrap; }
.hint { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; }
th button { background: none; border: none; color: inherit; padding: 0; font-weight: 600; }
.scroll { overflow-x: auto; }
pre.error { background: #fff4f0; color: var(--warn); border: 1px solid #f0c8b8; padding: .6rem; border-radius: 6px; white-space: pre-wrap; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.split { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; }
@media (max-width: 800px) { .split { grid-template-columns: 1fr; } }
svg.graph { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
svg.graph line { stroke: #8a99ad; stroke-width: 1.3; }
svg.graph text.edge { font-size: 10px; fill: var(--muted); }
svg.graph circle { fill: #fff; stroke: var(--accent); stroke-width: 1.6; cursor: pointer; }
svg.graph circle.center { fill: var(--accent); }
svg.graph text.node { font-size: 11px; fill: var(--ink); pointer-events: none; }
ul.tree { list-style: none; padding-left: 1.1rem; margin: .2rem 0; border-left: 1px dashed var(--line); }
ul.tree > li { margin: .15rem 0; }
details > summary { cursor: pointer; }
.fact { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 8px; background: #fde9e1; color: var(--warn); margin-left: .4rem; }
.period { color: var(--muted); font-size: .85rem; }
.source { color: var(--muted); }
svg.timeline { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
svg.timeline circle { fill: var(--accent); fill-opacity: .6; }
svg.timeline text { font-size: 10px; fill: var(--muted); }
"""#

    static let script = #"""
"use strict";
// The explorer: views chosen by the URL's fragment, each drawn from the server's JSON API.
const main = document.getElementById("main");

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value); else node.setAttribute(key, value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}
function svg(tag, attributes, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value); else node.setAttribute(key, value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

// A value as kglog writes it: names bare, strings quoted, IRIs in angle brackets.
function text(value) {
  switch (value.kind) {
    case "string": return JSON.stringify(value.value);
    case "iri": return "<" + value.value + ">";
    case "blank": return "_:" + value.value;
    case "lang-string": return JSON.stringify(value.value) + "@" + value.language;
    case "typed": return JSON.stringify(value.value) + "^^<" + value.datatype + ">";
    default: return String(value.value);
  }
}
const link = (view, parameters) => "#/" + view + "?" + new URLSearchParams(parameters).toString();
// Parameters of an API request, percent-encoded (a space as %20: the server reads '+' as itself).
const encoded = values => Object.entries(values).map(([k, v]) => k + "=" + encodeURIComponent(v)).join("&");
const termLink = value => el("a", { href: link("entity", { term: text(value) }), class: "fact" }, text(value));

async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.text();
  const data = body ? JSON.parse(body.trim().split("\n").length > 1 && path.startsWith("/api/query") ? "[" + body.trim().split("\n").join(",") + "]" : body) : {};
  if (!response.ok) throw Object.assign(new Error(data.error ? data.error.message : response.statusText), data.error || {});
  return data;
}

// An error under the text it is about, with a caret at its column.
function errorBox(error, source) {
  let message = "error: " + error.message;
  if (source && error.line) {
    const line = source.split("\n")[error.line - 1] || "";
    message = error.line + ":" + error.column + ": " + message + "\n" + line + "\n" + " ".repeat(Math.max(0, error.column - 1)) + "^";
  }
  return el("pre", { class: "error", role: "alert" }, message);
}

function answerTable(answer) {
  if (!answer.columns) return el("p", {}, answer.holds ? "true" : "false");
  const rows = answer.rows.map(row => el("tr", {}, row.map(value => el("td", {}, termLink(value)))));
  return el("div", { class: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, answer.columns.map(c => el("th", {}, c)))), el("tbody", {}, rows)),
    el("p", { class: "hint" }, rows.length + (rows.length === 1 ? " row" : " rows")),
    ...(answer.notes || []).map(note => el("p", { class: "hint note" }, "note: " + note)));
}

// The query view: a box, and the answer as a table whose terms lead to their entity views.
async function queryView(parameters) {
  const box = el("textarea", { id: "query", "aria-label": "query", spellcheck: "false" });
  box.value = parameters.get("q") || "?- member-of(X, csto).";
  const out = el("div", { id: "answer" });
  const run = () => { location.hash = link("query", { q: box.value }); };
  box.addEventListener("keydown", event => { if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(); });
  main.replaceChildren(el("h1", {}, "Query"), box,
    el("div", { class: "row" }, el("button", { id: "run", onclick: run }, "Run"), el("span", { class: "hint" }, "Ctrl+Enter runs it; click a term to see its facts")), out);
  if (!parameters.get("q")) return;
  try {
    const answers = await api("/api/query", { method: "POST", body: box.value });
    out.replaceChildren(...[].concat(answers).map(answerTable));
  } catch (error) {
    out.replaceChildren(errorBox(error, box.value.trim().startsWith("?-") ? box.value : "?- " + box.value));
  }
}

// Places nodes by a few hundred steps of springs and repulsion; the centre stays put.
function layout(nodes, edges, width, height) {
  nodes.forEach((node, i) => {
    if (node.x === undefined) {
      const angle = 2 * Math.PI * i / Math.max(1, nodes.length - 1);
      node.x = width / 2 + (i === 0 ? 0 : Math.cos(angle) * width / 3);
      node.y = height / 2 + (i === 0 ? 0 : Math.sin(angle) * height / 3);
    }
  });
  for (let step = 0; step < 300; step++) {
    for (const a of nodes) { a.dx = 0; a.dy = 0; }
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) {
      const a = nodes[i], b = nodes[j];
      let dx = a.x - b.x, dy = a.y - b.y, d2 = Math.max(dx * dx + dy * dy, 25);
      const force = 9000 / d2;
      a.dx += dx * force / Math.sqrt(d2); a.dy += dy * force / Math.sqrt(d2);
      b.dx -= dx * force / Math.sqrt(d2); b.dy -= dy * force / Math.sqrt(d2);
    }
    for (const edge of edges) {
      const a = edge.from, b = edge.to, dx = b.x - a.x, dy = b.y - a.y, d = Math.max(Math.hypot(dx, dy), 1);
      const pull = (d - 140) * 0.02;
      a.dx += dx / d * pull; a.dy += dy / d * pull; b.dx -= dx / d * pull; b.dy -= dy / d * pull;
    }
    for (const node of nodes) {
      if (node.fixed) continue;
      node.x = Math.min(width - 40, Math.max(40, node.x + Math.max(-10, Math.min(10, node.dx))));
      node.y = Math.min(height - 25, Math.max(25, node.y + Math.max(-10, Math.min(10, node.dy))));
    }
  }
}

// The entity view: the term's neighbourhood as a graph beside its facts with their sources.
async function entityView(parameters) {
  const term = parameters.get("term") || "";
  main.replaceChildren(el("h1", {}, term), el("p", { class: "hint" }, "loading…"));
  let data;
  try { data = await api("/api/entity?" + encoded({ term })); } catch (error) { return main.replaceChildren(el("h1", {}, term), errorBox(error)); }
  const nodes = new Map(), edges = [];
  const node = value => {
    const key = text(value);
    if (!nodes.has(key)) nodes.set(key, { key, value });
    return nodes.get(key);
  };
  const center = node(data.term); center.fixed = true;
  const add = (facts, outgoing) => {
    for (const fact of facts) {
      if (nodes.size >= 40 && !nodes.has(text(fact.arguments[outgoing ? 1 : 0]))) continue;
      edges.push({ from: node(fact.arguments[0]), to: node(fact.arguments[1]), label: text(fact.predicate) });
    }
  };
  add(data.outgoing, true); add(data.incoming, false);
  const expanded = new Set([center.key]);
  const width = 720, height = 480;
  const picture = svg("svg", { class: "graph", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "the neighbourhood of " + term });
  const draw = () => {
    layout([...nodes.values()], edges, width, height);
    const defs = svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "19", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" },
      svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#8a99ad" })));
    const lines = edges.map(edge => svg("g", { class: "edge", "data-from": edge.from.key, "data-to": edge.to.key, "data-label": edge.label },
      svg("line", { x1: edge.from.x, y1: edge.from.y, x2: edge.to.x, y2: edge.to.y, "marker-end": "url(#arrow)" }),
      svg("text", { class: "edge", x: (edge.from.x + edge.to.x) / 2, y: (edge.from.y + edge.to.y) / 2 - 3, "text-anchor": "middle" }, edge.label)));
    const circles = [...nodes.values()].map(n => svg("g", { class: "node", "data-term": n.key },
      svg("circle", { cx: n.x, cy: n.y, r: 9, class: n === center ? "center" : "", tabindex: "0", role: "link", "aria-label": n.key,
        onclick: () => { location.hash = link("entity", { term: n.key }); },
        onkeydown: event => { if (event.key === "Enter") location.hash = link("entity", { term: n.key }); } },
        svg("title", {}, n.key + (expanded.has(n.key) ? "" : " (click to open; Expand in the table adds its neighbours)"))),
      svg("text", { class: "node", x: n.x, y: n.y + 22, "text-anchor": "middle" }, n.key.length > 28 ? n.key.slice(0, 27) + "…" : n.key)));
    picture.replaceChildren(defs, ...lines, ...circles);
  };
  const expand = async key => {
    if (expanded.has(key)) return;
    expanded.add(key);
    const more = await api("/api/entity?" + encoded({ term: key, limit: 20 }));
    add(more.outgoing, true); add(more.incoming, false);
    draw();
  };
  draw();
  const rows = [];
  for (const [facts, outgoing] of [[data.outgoing, true], [data.incoming, false], [data.other, null]]) {
    for (const fact of facts) {
      const other = outgoing === null ? null : fact.arguments[outgoing ? 1 : 0];
      const sources = fact.sources.map(termLink);
      if (fact.storedWithoutSource) sources.push(el("span", { class: "source" }, "no source"));
      const factText = text(fact.predicate) + "(" + fact.arguments.map(text).join(", ") + ")";
      rows.push(el("tr", {},
        el("td", {}, el("a", { href: link("why", { fact: factText }), class: "fact", title: "why it holds" }, factText)),
        el("td", {}, sources.flatMap((s, i) => i ? [", ", s] : [s])),
        el("td", {}, other && other.kind !== "string" ? el("button", { class: "plain", onclick: () => expand(text(other)) }, "Expand") : "")));
    }
  }
  main.replaceChildren(el("h1", {}, term),
    el("div", { class: "split" }, el("div", {}, picture),
      el("div", { class: "scroll" }, el("table", { id: "facts" }, el("thead", {}, el("tr", {}, el("th", {}, "fact"), el("th", {}, "sources"), el("th", {}, ""))), el("tbody", {}, rows)),
        rows.length ? "" : el("p", { class: "hint" }, "no stored fact names this term"))));
}

// The sources a derivation tree rests on (leaves' sources; "" for a fact stated without one).
function sourcesOf(node, found = new Set()) {
  if (node.sources) node.sources.forEach(s => found.add(s.source));
  if (node.storedWithoutSource) found.add("");
  for (const derivation of node.derivations || []) for (const premise of derivation.premises) if (premise.fact) sourcesOf(premise, found);
  return found;
}
const periodText = period => [period.from ? "from " + period.from : "", period.until ? "until " + period.until : ""].filter(Boolean).join(" ") || "at all times";

function whyTree(node) {
  if (!node.holds) return el("span", { class: "fact" }, node.fact + " does not hold");
  const label = [el("span", { class: "fact" }, node.fact)];
  if (node.periods) label.push(el("span", { class: "period" }, " " + node.periods.map(periodText).join(", ")));
  if (node.explainedAbove) return el("span", {}, label, el("span", { class: "hint" }, " (explained above)"));
  const resting = sourcesOf(node);
  if (resting.size === 1 && !resting.has("")) label.push(el("span", { class: "badge", title: "everything it rests on comes from one source" }, "single source: " + [...resting][0]));
  const items = [];
  for (const source of node.sources || []) {
    const about = [];
    if (source.reportedBy.length) about.push("reported by " + source.reportedBy.join(", "));
    if (source.publishedOn.length) about.push("published on " + source.publishedOn.join(", "));
    if (source.publishedBy.length) about.push("by " + source.publishedBy.join(", "));
    items.push(el("li", {}, "stored, from ", el("a", { href: link("entity", { term: source.source }) }, source.source),
      about.length ? el("span", { class: "source" }, " (" + about.join("; ") + ")") : "",
      (source.periods || []).length ? el("span", { class: "period" }, " " + source.periods.map(periodText).join(", ")) : ""));
  }
  if (node.storedWithoutSource) items.push(el("li", {}, "stored, without a source"));
  for (const derivation of node.derivations || []) {
    const bindings = Object.entries(derivation.bindings).map(([k, v]) => k + " = " + v).join(", ");
    const premises = derivation.premises.map(premise => el("li", {}, premise.fact ? whyTree(premise)
      : el("span", { class: "fact" }, premise.not ? "not " + premise.not + (premise.periodsTakenAway ? ": its periods are taken away" : ": no fact matches") : premise.condition + ": holds")));
    items.push(el("li", {}, el("details", { open: "" }, el("summary", {}, "by ", el("span", { class: "fact" }, derivation.rule),
      bindings ? el("span", { class: "hint" }, " with " + bindings) : "", derivation.period ? el("span", { class: "period" }, " " + periodText(derivation.period)) : "",
      derivation.aggregate ? el("span", { class: "hint" }, " " + derivation.aggregate) : ""), el("ul", { class: "tree" }, premises))));
  }
  if (node.moreDerivations) items.push(el("li", { class: "hint" }, "… and " + node.moreDerivations + " more derivations"));
  return el("details", { open: "" }, el("summary", {}, label), el("ul", { class: "tree" }, items));
}

async function whyView(parameters) {
  const fact = parameters.get("fact") || "";
  main.replaceChildren(el("h1", {}, "Why ", el("span", { class: "fact" }, fact)));
  try {
    main.append(el("div", { id: "why" }, whyTree(await api("/api/why?" + encoded({ fact, limit: 5 })))));
  } catch (error) { main.append(errorBox(error, "?- " + fact + ".")); }
}

// The sources view: a sortable table, and the sources on a timeline by publication day.
async function sourcesView(parameters) {
  main.replaceChildren(el("h1", {}, "Sources"));
  let data;
  try { data = await api("/api/sources"); } catch (error) { return main.append(errorBox(error)); }
  const key = parameters.get("sort") || "publishedOn", descending = parameters.get("order") === "desc";
  const value = (source, k) => k === "facts" ? source.facts : k === "source" ? text(source.source) : (source[k][0] ? text(source[k][0]) : "");
  const sorted = [...data.sources].sort((a, b) => {
    const x = value(a, key), y = value(b, key);
    return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
  });
  const header = (k, label) => el("th", { "aria-sort": key === k ? (descending ? "descending" : "ascending") : "none" },
    el("button", { onclick: () => { location.hash = link("sources", { sort: k, order: key === k && !descending ? "desc" : "asc" }); } }, label + (key === k ? (descending ? " ▼" : " ▲") : "")));
  const list = values => values.map(text).join(", ");
  const dated = data.sources.filter(s => s.publishedOn.length && s.publishedOn[0].kind === "date");
  if (dated.length) {
    const days = dated.map(s => Date.parse(s.publishedOn[0].value));
    const first = Math.min(...days), last = Math.max(...days), span = Math.max(last - first, 1);
    const x = day => 30 + (day - first) / span * 660;
    main.append(el("h2", {}, "Timeline"), svg("svg", { class: "timeline", viewBox: "0 0 720 90", role: "img", "aria-label": "sources by publication day" },
      svg("line", { x1: 30, y1: 50, x2: 690, y2: 50, stroke: "#8a99ad" }),
      dated.map((s, i) => svg("a", { href: link("entity", { term: text(s.source) }) }, svg("circle", { cx: x(days[i]), cy: 50 - (i % 3) * 9, r: 5 + Math.min(6, Math.log10(s.facts + 1) * 2) },
        svg("title", {}, text(s.source) + ", " + s.publishedOn[0].value + ", " + s.facts + " facts")))),
      svg("text", { x: 30, y: 75 }, new Date(first).toISOString().slice(0, 10)), svg("text", { x: 690, y: 75, "text-anchor": "end" }, new Date(last).toISOString().slice(0, 10))));
  }
  main.append(el("div", { class: "scroll" }, el("table", { id: "sources" },
    el("thead", {}, el("tr", {}, header("source", "source"), header("publishedOn", "published on"), header("publishedBy", "published by"), header("reportedBy", "reported by"), header("facts", "facts"))),
    el("tbody", {}, sorted.map(s => el("tr", {}, el("td", {}, termLink(s.source)), el("td", {}, list(s.publishedOn)), el("td", {}, list(s.publishedBy)), el("td", {}, list(s.reportedBy)), el("td", {}, String(s.facts))))))));
}

async function predicatesView() {
  main.replaceChildren(el("h1", {}, "Predicates"));
  try {
    const data = await api("/api/predicates");
    main.append(el("div", { class: "scroll" }, el("table", {}, el("thead", {}, el("tr", {}, ["predicate", "arity", "stored facts", "kind"].map(h => el("th", {}, h)))),
      el("tbody", {}, data.predicates.map(p => el("tr", {}, el("td", {}, el("a", { href: link("query", { q: "?- " + text(p.predicate) + "(" + Array.from({ length: p.arity }, (_, i) => "X" + (i + 1)).join(", ") + ")." }) }, text(p.predicate))),
        el("td", {}, String(p.arity)), el("td", {}, String(p.storedFacts)), el("td", {}, [p.storedFacts ? "stored" : "", p.derived ? "derived" : "", p.functional ? "functional" : ""].filter(Boolean).join(", "))))))));
  } catch (error) { main.append(errorBox(error)); }
}

const views = { query: queryView, entity: entityView, why: whyView, sources: sourcesView, predicates: predicatesView };
function route() {
  const [path, search] = location.hash.replace(/^#\/?/, "").split("?");
  const view = views[path] ? path : "query";
  document.querySelectorAll("nav a").forEach(a => a.classList.toggle("current", a.dataset.view === view));
  views[view](new URLSearchParams(search || ""));
}
window.addEventListener("hashchange", route);
route();
"""#
}
