// pivot dashboard: plain JavaScript over the /v1 API, nothing loaded from elsewhere.
// The URL carries the state (?view=measure&measure=partner-share&focal=RUS&years=2014&p.top=5),
// so a view can be shared as a link.
'use strict';

const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
const DEDICATED = ['focal', 'partners', 'years'];
const state = { measures: [], measure: null, health: null };

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function showError(err) {
  const box = $('error');
  if (!err) { box.hidden = true; box.textContent = ''; return; }
  box.hidden = false;
  box.textContent = err.error ? `${err.error}: ${err.detail}` : String(err);
}

async function api(path, opts = {}) {
  const res = await fetch(path, opts);
  const type = res.headers.get('content-type') || '';
  const body = type.startsWith('application/json') ? await res.json() : await res.text();
  if (!res.ok) throw (body && body.error ? body : { error: `HTTP ${res.status}`, detail: String(body) });
  return body;
}

// ---- URL state ----------------------------------------------------------------------------

function urlState() { return new URLSearchParams(location.search); }

function setUrl(params) {
  const q = params.toString();
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
}

// ---- views --------------------------------------------------------------------------------

function showView(name) {
  for (const v of ['measure', 'claims', 'sql', 'data']) {
    $(`view-${v}`).hidden = v !== name;
    $(`nav-${v}`).classList.toggle('active', v === name);
  }
  if (name === 'claims') loadClaims();
  if (name === 'sql') showSqlLimits();
  if (name === 'data') loadData();
}

function navigate(view) {
  showError(null);
  const p = urlState();
  p.set('view', view);
  setUrl(p);
  showView(view);
}

// ---- type-ahead ---------------------------------------------------------------------------

function typeahead(input, list, { multi }) {
  let items = [];
  let active = -1;
  let timer = null;
  const token = () => (multi ? input.value.split(',').pop().trim() : input.value.trim());
  const close = () => { list.hidden = true; list.replaceChildren(); items = []; active = -1; };
  const choose = (hit) => {
    if (multi) {
      const parts = input.value.split(',').map((s) => s.trim()).filter(Boolean);
      parts.pop();
      parts.push(hit.code);
      input.value = parts.join(',');
    } else {
      input.value = hit.code;
    }
    close();
    input.dispatchEvent(new Event('change'));
  };
  const render = () => {
    list.replaceChildren(...items.map((h, i) => {
      const li = el('li', { role: 'option', 'data-code': h.code, class: i === active ? 'active' : '' },
        el('span', { class: 'code', text: h.code }), h.kind === 'set' ? `${h.name} (set)` : h.name);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); choose(h); });
      return li;
    }));
    list.hidden = items.length === 0;
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = token();
    if (!q) { close(); return; }
    timer = setTimeout(async () => {
      try {
        const r = await api(`/v1/countries?q=${encodeURIComponent(q)}&limit=8`);
        if (token() !== q) return;
        items = r.results; active = -1; render();
      } catch (e) { showError(e); }
    }, 120);
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { active = Math.min(active + 1, items.length - 1); render(); e.preventDefault(); }
    else if (e.key === 'ArrowUp') { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
    else if (e.key === 'Enter' && active >= 0) { choose(items[active]); e.preventDefault(); }
    else if (e.key === 'Escape') close();
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
}

// ---- measure form -------------------------------------------------------------------------

function paramField(p, value) {
  const id = `p-${p.name}`;
  let input;
  if (p.allowed) {
    input = el('select', { id, name: p.name });
    input.append(el('option', { value: '', text: `default (${fmtDefault(p.default)})` }));
    for (const a of p.allowed) input.append(el('option', { value: a, text: a }));
  } else if (p.type === 'boolean') {
    input = el('select', { id, name: p.name });
    input.append(el('option', { value: '', text: `default (${fmtDefault(p.default)})` }),
      el('option', { value: 'true', text: 'true' }), el('option', { value: 'false', text: 'false' }));
  } else {
    const attrs = { id, name: p.name, placeholder: fmtDefault(p.default), spellcheck: 'false' };
    if (p.type === 'integer' || p.type === 'number') {
      attrs.type = 'number';
      attrs.step = p.type === 'integer' ? '1' : 'any';
      if (p.minimum !== null && p.minimum !== undefined) attrs.min = p.minimum;
      if (p.maximum !== null && p.maximum !== undefined) attrs.max = p.maximum;
    }
    input = el('input', attrs);
  }
  if (value !== null && value !== undefined) input.value = value;
  const label = el('label', { class: 'field', title: p.description }, p.required ? `${p.name} *` : p.name, input,
    el('span', { class: 'help', text: p.description }));
  return label;
}

function fmtDefault(d) {
  if (d === null || d === undefined) return 'none';
  if (Array.isArray(d)) return d.length ? d.join(',') : 'none';
  return String(d);
}

function selectMeasure(name, fromUrl) {
  const m = state.measures.find((x) => x.name === name) || state.measures[0];
  state.measure = m;
  $('measure').value = m.name;
  $('measure-summary').textContent = m.doc.summary;
  const names = new Set(m.parameters.map((p) => p.name));
  for (const d of DEDICATED) {
    const f = $(d).closest('.field');
    f.hidden = !names.has(d);
    const p = m.parameters.find((x) => x.name === d);
    if (p) { f.title = p.description; if (!$(d).value && p.default) $(d).placeholder = fmtDefault(p.default); }
  }
  const fields = m.parameters.filter((p) => !DEDICATED.includes(p.name))
    .map((p) => paramField(p, fromUrl ? fromUrl.get(`p.${p.name}`) : null));
  $('param-fields').replaceChildren(...fields);
  $('params').hidden = fields.length === 0;
}

function formParams() {
  const m = state.measure;
  const q = new URLSearchParams();
  const names = new Set(m.parameters.map((p) => p.name));
  for (const d of DEDICATED) {
    const v = $(d).value.trim();
    if (v && names.has(d)) q.set(d, v);
  }
  for (const p of m.parameters.filter((x) => !DEDICATED.includes(x.name))) {
    const v = $(`p-${p.name}`).value.trim();
    if (v) q.set(p.name, v);
  }
  return q;
}

async function runMeasure() {
  showError(null);
  const m = state.measure;
  const q = formParams();
  const share = new URLSearchParams({ view: 'measure', measure: m.name });
  for (const [k, v] of q) share.set(DEDICATED.includes(k) ? k : `p.${k}`, v);
  setUrl(share);
  $('status').textContent = 'running…';
  $('run').disabled = true;
  try {
    const r = await api(`/v1/measures/${encodeURIComponent(m.name)}?${q}`);
    $('status').textContent = `${r.row_count} rows`;
    renderResult(r);
    const base = `/v1/measures/${encodeURIComponent(m.name)}?${q}`;
    for (const [id, f] of [['download-csv', 'csv'], ['download-parquet', 'parquet']]) {
      const a = $(id);
      a.href = `${base}${q.toString() ? '&' : ''}format=${f}`;
      a.setAttribute('download', `${m.name}.${f}`);
      a.hidden = false;
    }
    const rep = $('open-report');
    const focal = $('focal').value.trim();
    rep.hidden = !focal;
    if (focal) {
      const rq = new URLSearchParams({ focal });
      if ($('partners').value.trim()) rq.set('partners', $('partners').value.trim());
      rep.href = `/v1/report?${rq}`;
    }
  } catch (e) {
    $('status').textContent = '';
    $('result').hidden = true;
    showError(e);
  } finally {
    $('run').disabled = false;
  }
}

// ---- result: table, chart, provenance -----------------------------------------------------

function fmtNum(v) {
  if (typeof v !== 'number') return v === null || v === undefined ? '' : String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 10 ? v.toFixed(2) : v.toPrecision(5).replace(/\.?0+$/, '');
}

const AXIS = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 3 });
const GROUPED = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

// Columns that hold a share (0-1): shown as percentages.
function isShare(name) {
  return name === 'share' || name.endsWith('_share') || name.startsWith('share_') || name === 'agreement';
}

// A table cell as a reader reads it: shares as percentages, large numbers with thousands
// separators (93,942,000,000), the rest with the digits their size needs.
function fmtCell(name, v) {
  if (typeof v !== 'number') return fmtNum(v);
  // Years, periods, sessions and codes are labels, not amounts: never grouped.
  if (/(^|_)(year|years|period|session|rcid|code|ccode|cow|gw|m49|start|end)(_|$)/.test(name)) return fmtNum(v);
  if (isShare(name)) return `${(100 * v).toFixed(2)}%`;
  if (Math.abs(v) >= 1000) return GROUPED.format(v);
  return fmtNum(v);
}

function fmtAxis(v, share = false) {
  if (share) return `${fmtNum(Number((100 * v).toPrecision(3)))}%`;
  return Math.abs(v) >= 1000 ? AXIS.format(v) : fmtNum(Number(v.toPrecision(3)));
}

// Round tick values covering [lo, hi]: a step of 1, 2 or 5 times a power of ten, about `n`
// intervals (0, 0.05, 0.10 … rather than 0.0306, 0.0611 …).
function niceTicks(lo, hi, n = 4) {
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw);
  const start = Math.floor(lo / step) * step;
  const ticks = [];
  for (let v = start; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

// The unit of a column where the provenance states it (trade values are current USD).
function header(name, provenance) {
  if (name === 'value' && provenance && provenance.notes.some((n) => /current USD/.test(n))) return 'value (current USD)';
  return name;
}

function fillTable(table, columns, rows, limit = 2000, provenance = null) {
  const thead = table.querySelector('thead');
  const tbody = table.querySelector('tbody');
  thead.replaceChildren(el('tr', {}, ...columns.map((c) => el('th', { text: header(c.name, provenance) }))));
  tbody.replaceChildren(...rows.slice(0, limit).map((r) => el('tr', {}, ...columns.map((c) => {
    const v = r[c.name];
    return el('td', { class: typeof v === 'number' ? 'num' : '', text: fmtCell(c.name, v) });
  }))));
}

function renderProvenance(target, p) {
  const params = Object.entries(p.parameters).map(([k, v]) => `${k}=${v}`).join(', ');
  const list = el('ul');
  list.append(el('li', { text: `Method: ${p.method} (pivot ${p.pivot_version})` }));
  if (params) list.append(el('li', { text: `Parameters as applied: ${params}` }));
  for (const d of p.datasets) list.append(el('li', { class: 'citation', text: `${d.id} ${d.version} — ${d.citation} (${d.licence})` }));
  for (const n of p.notes) list.append(el('li', { text: `Note: ${n}` }));
  target.replaceChildren(list);
}

function numericColumns(columns, rows) {
  return columns.map((c) => c.name).filter((n) => n !== 'year' && rows.some((r) => typeof r[n] === 'number'));
}

function renderResult(r) {
  $('result').hidden = false;
  fillTable($('result-table'), r.columns, r.rows, 2000, r.provenance);
  renderProvenance($('provenance-body'), r.provenance);
  const nums = numericColumns(r.columns, r.rows);
  const sel = $('chart-value');
  const prev = sel.value;
  sel.replaceChildren(...nums.map((n) => el('option', { value: n, text: n })));
  const preferred = nums.find((n) => n === prev)
    || ['share', 'score', 'ratio', 'index', 'hhi', 'alignment', 'value'].map((w) => nums.find((n) => n.includes(w))).find(Boolean)
    || nums[0];
  if (preferred) sel.value = preferred;
  sel.onchange = () => drawChart(r, sel.value);
  drawChart(r, sel.value);
}

const PALETTE = ['#1f5f99', '#c44e1d', '#2f8a4c', '#8a4ab0', '#b08a00', '#0f8a8a', '#a3262a', '#5b6875'];

function drawChart(r, value) {
  const fig = $('chart');
  fig.replaceChildren();
  if (!value) return;
  const rows = r.rows.filter((x) => typeof x[value] === 'number' && Number.isFinite(x[value]));
  if (!rows.length) return;
  // Series: the text columns whose values differ between rows (partner, issue …).
  const textCols = r.columns.map((c) => c.name).filter((n) => n !== 'year' && rows.some((x) => typeof x[n] === 'string'));
  const varying = textCols.filter((n) => new Set(rows.map((x) => x[n])).size > 1);
  const label = (x) => varying.map((n) => x[n]).join(' · ') || value;
  const years = [...new Set(rows.map((x) => x.year).filter((y) => typeof y === 'number'))].sort((a, b) => a - b);
  const W = 1000, H = 380, m = { l: 70, r: 180, t: 30, b: 40 };
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${r.measure}: ${value}` });
  s.append(svg('title', {}, `${r.measure}: ${value}`));
  s.append(svg('text', { x: m.l, y: 18, 'font-size': 14, 'font-weight': 600, fill: '#1d2630' }, `${r.measure} — ${value}`));
  const vals = rows.map((x) => x[value]);
  let lo = Math.min(0, ...vals), hi = Math.max(...vals);
  if (hi === lo) hi = lo + 1;
  const ticks = niceTicks(lo, hi);
  lo = ticks[0];
  hi = ticks[ticks.length - 1];
  const y = (v) => m.t + (H - m.t - m.b) * (1 - (v - lo) / (hi - lo));
  for (const v of ticks) {
    s.append(svg('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), stroke: '#e3e8ed' }));
    s.append(svg('text', { x: m.l - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6875' }, fmtAxis(v, isShare(value))));
  }
  if (years.length > 1) {
    const x = (yr) => m.l + ((W - m.l - m.r) * (yr - years[0])) / (years[years.length - 1] - years[0]);
    const step = Math.max(1, Math.ceil(years.length / 10));
    years.forEach((yr, i) => {
      if (i % step === 0 || i === years.length - 1) s.append(svg('text', { x: x(yr), y: H - m.b + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#5b6875' }, yr));
    });
    const series = new Map();
    for (const row of rows) {
      const k = label(row);
      if (!series.has(k)) series.set(k, []);
      series.get(k).push(row);
    }
    const top = [...series.entries()].sort((a, b) => Math.max(...b[1].map((q) => q[value])) - Math.max(...a[1].map((q) => q[value]))).slice(0, 8);
    top.forEach(([k, pts], i) => {
      pts.sort((a, b) => a.year - b.year);
      const color = PALETTE[i % PALETTE.length];
      const d = pts.map((p, j) => `${j ? 'L' : 'M'}${x(p.year).toFixed(1)},${y(p[value]).toFixed(1)}`).join('');
      s.append(svg('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, class: 'series' }));
      const last = pts[pts.length - 1];
      s.append(svg('text', { x: W - m.r + 8, y: m.t + 14 + i * 16, 'font-size': 12, fill: color }, k));
      s.append(svg('circle', { cx: x(last.year), cy: y(last[value]), r: 2.5, fill: color }));
    });
  } else {
    const bars = [...rows].sort((a, b) => b[value] - a[value]).slice(0, 25);
    const bw = (W - m.l - m.r) / bars.length;
    bars.forEach((row, i) => {
      const v = row[value];
      const top = y(Math.max(v, 0)), bottom = y(Math.min(v, 0));
      const rect = svg('rect', { x: m.l + i * bw + 2, y: top, width: Math.max(bw - 4, 1), height: Math.max(bottom - top, 1), fill: PALETTE[0], class: 'bar' });
      rect.append(svg('title', {}, `${label(row)}: ${fmtCell(value, v)}`));
      s.append(rect);
      s.append(svg('text', { x: m.l + i * bw + bw / 2, y: H - m.b + 14, 'text-anchor': 'middle', 'font-size': 10, fill: '#5b6875' }, String(label(row)).slice(0, 10)));
    });
  }
  const src = r.provenance.datasets.map((d) => `${d.id} ${d.version}`).join(', ');
  s.append(svg('text', { x: m.l, y: H - 6, 'font-size': 10, fill: '#5b6875' }, `Source: ${src || r.provenance.method} — computed by pivot ${r.provenance.pivot_version}`));
  fig.append(s);
}

// ---- claims -------------------------------------------------------------------------------

function renderClaims(r) {
  const tbody = $('claims-table').querySelector('tbody');
  tbody.replaceChildren(...r.verdicts.map((v) => {
    const slug = v.verdict.replace(/\s+/g, '-');
    return el('tr', { id: `claim-${v.id}`, 'data-verdict': slug },
      el('td', { text: v.id }), el('td', { text: v.claim }),
      el('td', { class: `verdict verdict-${slug}`, text: v.verdict }), el('td', { text: v.evidence }));
  }));
  renderProvenance($('claims-provenance'), r.provenance);
}

let claimsLoaded = false;
async function loadClaims() {
  if (claimsLoaded) return;
  try {
    renderClaims(await api('/v1/claims'));
    claimsLoaded = true;
  } catch (e) { showError(e); }
}

async function checkClaims() {
  showError(null);
  try {
    renderClaims(await api('/v1/claims', { method: 'POST', headers: { 'content-type': 'application/toml' }, body: $('claims-toml').value }));
  } catch (e) { showError(e); }
}

// ---- SQL ----------------------------------------------------------------------------------

async function health() {
  if (!state.health) state.health = await api('/v1/health');
  return state.health;
}

async function showSqlLimits() {
  try {
    const h = await health();
    $('sql-limits').textContent = `Read-only: one query (SELECT, WITH, VALUES); CREATE, DROP, COPY, INSERT and SET are refused. At most ${h.limits.sql_max_rows} rows come back; a query is stopped after ${h.limits.sql_timeout_ms / 1000} s.`;
  } catch (e) { showError(e); }
  const q = urlState().get('q');
  if (q && $('sql-query').dataset.fromUrl !== '1') { $('sql-query').value = q; $('sql-query').dataset.fromUrl = '1'; }
}

async function runSql() {
  showError(null);
  const query = $('sql-query').value;
  const p = urlState();
  p.set('view', 'sql');
  p.set('q', query);
  setUrl(p);
  $('sql-status').textContent = 'running…';
  try {
    const r = await api('/v1/sql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    $('sql-status').textContent = `${r.row_count} rows (cap ${r.limits.max_rows}, time limit ${r.limits.timeout_ms} ms)`;
    const t = $('sql-truncated');
    t.hidden = !r.truncated;
    t.textContent = r.truncated ? `Only the first ${r.limits.max_rows} rows are shown: the row cap cut the answer. Aggregate or add LIMIT/OFFSET.` : '';
    fillTable($('sql-table'), r.columns, r.rows);
    renderProvenance($('sql-provenance'), r.provenance);
  } catch (e) {
    $('sql-status').textContent = '';
    showError(e);
  }
}

// ---- data ---------------------------------------------------------------------------------

async function loadData() {
  try {
    const r = await api('/v1/datasets');
    const cols = ['id', 'title', 'rows', 'years', 'version', 'licence'].map((name) => ({ name }));
    fillTable($('data-table'), cols, r.datasets);
  } catch (e) { showError(e); }
}

// ---- start --------------------------------------------------------------------------------

async function start() {
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    a.addEventListener('click', (e) => { e.preventDefault(); navigate(a.dataset.view); });
  }
  typeahead($('focal'), $('focal-suggest'), { multi: false });
  typeahead($('partners'), $('partners-suggest'), { multi: true });
  $('measure-form').addEventListener('submit', (e) => { e.preventDefault(); runMeasure(); });
  $('measure').addEventListener('change', () => selectMeasure($('measure').value, null));
  $('claims-check').addEventListener('click', checkClaims);
  $('sql-run').addEventListener('click', runSql);
  try {
    state.measures = (await api('/v1/measures')).measures;
  } catch (e) { showError(e); return; }
  $('measure').replaceChildren(...state.measures.map((m) => el('option', { value: m.name, text: `${m.name} (${m.dimension})` })));
  const u = urlState();
  for (const d of DEDICATED) if (u.get(d)) $(d).value = u.get(d);
  selectMeasure(u.get('measure') || 'partner-share', u);
  const view = u.get('view') || 'measure';
  showView(view);
  if (view === 'measure' && u.get('measure')) runMeasure();
  document.body.dataset.ready = '1';
}

start();
