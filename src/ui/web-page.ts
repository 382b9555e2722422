import { createHash } from 'node:crypto';

/**
 * The stack's web page (`GET /ui`): status and throughput over time, recent transactions, and the
 * selected transaction's FHE graph as inline SVG, from the token-protected `/fhekit/ui/*` routes.
 * No framework, no external resource. The page holds no data itself: it asks for the API token (pasted,
 * or passed in the URL fragment `#token=…`, which browsers never send to the server), keeps it in
 * sessionStorage only, and removes it from the address bar.
 */
const SCRIPT = String.raw`
'use strict';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const fmt = (n) => Number(n).toLocaleString('en-US');
const short = (h) => h.slice(0, 6) + '…' + h.slice(-4);
const ms = (v) => (v === null ? '–' : v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(v < 10 ? 1 : 0) + ' ms');
const history = [];
let selected = null;

const fragment = new URLSearchParams(location.hash.slice(1)).get('token');
if (fragment) {
  sessionStorage.setItem('fhekit-token', fragment);
  window.history.replaceState(null, '', location.pathname);
}

function el(tag, attrs, text) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(path) {
  const token = sessionStorage.getItem('fhekit-token');
  if (!token) throw Object.assign(new Error('no token'), { auth: true });
  const response = await fetch('/fhekit/ui/' + path, { headers: { Authorization: 'Bearer ' + token } });
  const body = await response.json();
  if (response.status === 401) throw Object.assign(new Error(body.error.message), { auth: true });
  if (!response.ok) throw new Error(body.error.message);
  return body;
}

function showAuth(message) {
  $('auth').hidden = false;
  $('auth-message').textContent = message;
}

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('fhekit-token', $('token').value.trim());
  $('token').value = '';
  $('auth').hidden = true;
  refresh();
});

function drawThroughput() {
  const svg = $('throughput');
  svg.replaceChildren(el('svg:rect', { width: 300, height: 62, class: 'frame' }));
  const max = Math.max(1, ...history.map((h) => h.ops));
  const points = history.map((h, i) => i * (300 / 59) + ',' + (60 - (h.ops / max) * 55)).join(' ');
  svg.append(el('svg:polyline', { points, fill: 'none', stroke: '#2a7', 'stroke-width': 2 }));
  svg.append(el('svg:text', { x: 4, y: 12, class: 'axis' }, 'max ' + max.toFixed(2) + ' ops/s'));
}

function renderStatus(s) {
  const c = s.computations;
  $('status').textContent =
    'block ' + (s.cursor ? s.cursor.block : '–') + ' · ' + c.pending + ' pending (' + c.ready + ' ready, ' +
    c.inFlight + ' running) · ' + c.done + ' done · ' + c.error + ' failed · ' + s.ciphertexts + ' ciphertexts · ' +
    s.opsPerSecond.toFixed(2) + ' ops/s' + (s.pbsPerSecond === null ? '' : ' · ' + s.pbsPerSecond.toFixed(1) + ' PBS/s');
  history.push({ ops: s.opsPerSecond });
  if (history.length > 60) history.shift();
  drawThroughput();
}

function renderTransactions(overview) {
  const body = $('transactions');
  body.replaceChildren();
  for (const tx of overview.recent) {
    const row = el('tr', { class: 'tx ' + tx.status, 'data-tx': tx.txHash });
    for (const text of [short(tx.txHash), tx.blockNumber, tx.ops, fmt(tx.hcu), fmt(tx.hcuDepth), tx.status, ms(tx.computeMs)]) {
      row.append(el('td', {}, String(text)));
    }
    if (tx.warnings.length > 0) row.classList.add('warn');
    row.title = tx.warnings.map((w) => (w.limit === 'hcu' ? 'HCU' : 'HCU depth') + ' at ' + Math.round((100 * w.used) / w.max) + '% of the limit: ' + w.dominantOps.join(', ')).join('\n');
    row.addEventListener('click', () => select(tx.txHash));
    body.append(row);
  }
  $('failures').replaceChildren(
    ...(overview.failures.length === 0 ? [el('li', { class: 'none' }, 'none')] : []),
    ...overview.failures.map((f) => el('li', {}, short(f.txHash) + ' ' + f.op + ' ' + f.resultType + ' ' + short(f.handle) + ': ' + f.error)),
  );
  if (!selected && overview.recent.length > 0) select(overview.recent[0].txHash);
}

async function select(txHash) {
  selected = txHash;
  try {
    drawTrace(await api('trace/' + txHash));
  } catch (error) {
    $('trace-title').textContent = error.message;
  }
}

/** Layered layout: an op sits one column right of its deepest producer in the same transaction. */
function drawTrace(trace) {
  const t = trace.totals;
  $('trace-title').textContent = trace.txHash + ' (block ' + trace.blockNumber + ') · ' + trace.nodes.length + ' FHE ops · ' + trace.status;
  $('trace-totals').textContent =
    'HCU ' + fmt(t.hcu) + ' / ' + fmt(trace.limits.perTransaction) + ' (' + ((100 * t.hcu) / trace.limits.perTransaction).toFixed(1) + '%) · depth ' +
    fmt(t.hcuDepth) + ' / ' + fmt(trace.limits.depthPerTransaction) + ' (' + ((100 * t.hcuDepth) / trace.limits.depthPerTransaction).toFixed(1) + '%) · ' +
    fmt(t.pbs) + ' PBS' + (t.pbsUnmeasured > 0 ? ' (' + t.pbsUnmeasured + ' ops not measured)' : '') + ' · ' + ms(t.computeMs) + ' engine time';
  const layer = [];
  const rows = [];
  for (const node of trace.nodes) {
    const producers = node.operands.filter((o) => o.kind === 'handle' && o.producer !== null).map((o) => o.producer);
    layer[node.index] = producers.length === 0 ? 0 : 1 + Math.max(...producers.map((p) => layer[p]));
    rows[layer[node.index]] = (rows[layer[node.index]] || 0) + 1;
  }
  const W = 210, H = 64, GX = 50, GY = 24;
  const slot = [];
  const pos = [];
  for (const node of trace.nodes) {
    const l = layer[node.index];
    slot[l] = (slot[l] || 0) + 1;
    pos[node.index] = { x: 10 + l * (W + GX), y: 10 + (slot[l] - 1) * (H + GY) };
  }
  const svg = $('graph');
  svg.replaceChildren();
  svg.setAttribute('width', 20 + (Math.max(...layer) + 1) * (W + GX));
  svg.setAttribute('height', 20 + Math.max(...rows) * (H + GY));
  const maxHcu = Math.max(1, ...trace.nodes.map((n) => n.hcu));
  for (const node of trace.nodes) {
    for (const o of node.operands) {
      if (o.kind !== 'handle' || o.producer === null) continue;
      const a = pos[o.producer], b = pos[node.index];
      svg.append(el('svg:line', { class: 'edge', x1: a.x + W, y1: a.y + H / 2, x2: b.x, y2: b.y + H / 2, 'data-from': o.producer, 'data-to': node.index }));
    }
  }
  for (const node of trace.nodes) {
    const p = pos[node.index];
    const g = el('svg:g', { class: 'node ' + node.status, 'data-index': node.index, 'data-op': node.op, 'data-hcu': node.hcu, transform: 'translate(' + p.x + ',' + p.y + ')' });
    const heat = Math.round(235 - (node.hcu / maxHcu) * 120);
    g.append(el('svg:rect', { width: W, height: H, rx: 6, fill: 'rgb(255,' + heat + ',' + (heat - 40) + ')' }));
    g.append(el('svg:text', { x: 8, y: 18, class: 'op' }, '#' + node.index + ' ' + node.op + (node.emissions > 1 ? ' ×' + node.emissions : '') + ' → ' + node.resultType));
    g.append(el('svg:text', { x: 8, y: 36 }, 'HCU ' + fmt(node.hcu) + ' · depth ' + fmt(node.hcuDepth)));
    g.append(el('svg:text', { x: 8, y: 54 }, (node.pbs === null ? '–' : fmt(node.pbs)) + ' PBS · ' + ms(node.computeMs) + ' · ' + node.status));
    g.append(el('svg:title', {}, short(node.result) + (node.error ? '\nerror: ' + node.error : '') + '\n← ' + node.operands.map((o) => (o.kind === 'scalar' ? 'scalar' : o.producer === null ? short(o.handle) : '#' + o.producer)).join(', ')));
    svg.append(g);
  }
}

async function refresh() {
  try {
    const [status, overview] = await Promise.all([api('status'), api('transactions')]);
    renderStatus(status);
    renderTransactions(overview);
  } catch (error) {
    if (error.auth) showAuth(error.message === 'no token' ? 'Paste the stack’s API token (the file <state-dir>/api-token).' : error.message);
    else $('status').textContent = 'stack unreachable: ' + error.message;
  }
}

refresh();
setInterval(() => { if ($('auth').hidden) refresh(); }, 2000);
`;

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin-top: 1.5em; }
table { border-collapse: collapse; } td, th { padding: 2px 10px; text-align: right; }
th { color: #666; font-weight: normal; } tr.tx { cursor: pointer; } tr.tx:hover { background: #eef; }
tr.error td { color: #b00; } tr.warn td { background: #fff4cc; }
#failures { color: #b00; } #failures .none { color: #666; } .frame { fill: #f8f8f8; stroke: #ddd; } .axis { font-size: 10px; fill: #666; }
.node rect { stroke: #2a7; stroke-width: 2; } .node.pending rect { stroke: #c90; } .node.error rect { stroke: #c00; stroke-width: 3; }
.node text { font-size: 11px; } .node text.op { font-weight: bold; }
.edge { stroke: #888; stroke-width: 1.5; }
#auth { background: #fee; padding: 1em; }
`;

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fhekit stack</title><style>${STYLE}</style></head>
<body>
<h1>fhekit dev stack</h1>
<div id="auth" hidden><form id="auth-form"><span id="auth-message"></span>
<input id="token" type="password" autocomplete="off" size="70"> <button>Use token</button></form></div>
<div id="status">loading…</div>
<svg id="throughput" width="300" height="62" role="img" aria-label="computations per second over time"></svg>
<h2>Recent transactions</h2>
<table><thead><tr><th>tx</th><th>block</th><th>FHE ops</th><th>HCU</th><th>depth</th><th>status</th><th>time</th></tr></thead>
<tbody id="transactions"></tbody></table>
<h2>Failed computations</h2><ul id="failures"></ul>
<h2 id="trace-title">No transaction selected</h2><div id="trace-totals"></div>
<svg id="graph" width="10" height="10" role="img" aria-label="FHE operations of the transaction"></svg>
<script>${SCRIPT}</script>
</body></html>`;

const digest = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** The page and its Content-Security-Policy: only its own inline script and style run, data comes from this origin. */
export const WEB_PAGE = {
  html: HTML,
  contentSecurityPolicy: `default-src 'none'; script-src ${digest(SCRIPT)}; style-src ${digest(STYLE)}; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
};
