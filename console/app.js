/*
 * fieldgate web console: renders the status document (README, "The status document") live.
 * Plain DOM, no build step, no framework: every section is re-rendered from the latest document
 * (at most 2 per second, /events, and only when something but the clock changed), so the page holds
 * no state but the user's choices (pages, grid table, format) and the token (sessionStorage).
 * Uptime and ages are computed here from `startedAt` / `updatedAt` / ISO times and the gateway's
 * clock (the event's `serverTime`, or `startedAt` + `uptimeSeconds` from /status), and re-rendered
 * every second. Nothing is fetched from anywhere but the gateway that served the page.
 */

const TOKEN_KEY = 'fieldgate.token';
const PAGE_ROWS = 100;
const GRID_COUNT = 100;
const POLL_MS = 2000;
const CLOCK_MS = 1000;
const WRITABLE = new Set(['holding', 'coils']);

const $ = (id) => document.getElementById(id);
const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
const num = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');

/** What the user chose; everything else comes from the document. */
const ui = {
  doc: null,
  pages: new Map(), // table key -> page index
  /** false once the gateway refused a write because writes are off (403/405); else the document's `console.writes`. */
  writes: true,
  gridKey: '',
  /** The gateway's clock minus this browser's (ms), from the last document. */
  skew: 0,
};

/** The gateway's clock now (ms): ages are measured against it, not the browser's. */
const serverNow = () => Date.now() + ui.skew;

/** The gateway's clock when the document was built: its serverTime (events), else startedAt + uptime (/status). */
function learnClock(doc) {
  const at =
    typeof doc.serverTime === 'number'
      ? doc.serverTime
      : Date.parse(doc.startedAt ?? '') + (doc.uptimeSeconds ?? NaN) * 1000;
  if (Number.isFinite(at)) ui.skew = at - Date.now();
}

/** Seconds since an ISO time, on the gateway's clock; null for none. */
function secondsSince(iso) {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.max(0, (serverNow() - t) / 1000) : null;
}

function ago(iso) {
  const s = secondsSince(iso);
  return s === null ? 'never' : duration(s) + ' ago';
}

function duration(s) {
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** A state as text and colour (never colour alone). */
function badge(text, kind) {
  return `<span class="badge ${kind}">${esc(text)}</span>`;
}
const stateKind = (s) =>
  ({ listening: 'ok', up: 'ok', online: 'ok', connecting: 'warn', down: 'bad', offline: 'bad' })[s] ?? 'warn';

/** A table: head cells, rows of cell HTML (already escaped), an optional class per row. */
function table(head, rows, empty = 'none') {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows
    .map((r) => `<tr${r.cls ? ` class="${r.cls}"` : ''}>${r.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('');
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table></div>`;
}

/** One page of `rows` with a pager; the page is remembered per key. */
function paged(key, head, rows, empty) {
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
  const page = Math.min(ui.pages.get(key) ?? 0, pages - 1);
  const slice = rows.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS);
  const pager =
    pages > 1
      ? `<p class="pager" data-key="${esc(key)}"><button data-page="${page - 1}" ${page === 0 ? 'disabled' : ''}>◀</button>` +
        ` rows ${page * PAGE_ROWS + 1}–${page * PAGE_ROWS + slice.length} of ${rows.length} ` +
        `<button data-page="${page + 1}" ${page >= pages - 1 ? 'disabled' : ''}>▶</button></p>`
      : '';
  return pager + table(head, slice, empty);
}

function setBody(id, html) {
  const body = $(id).querySelector('.body');
  if (body.innerHTML !== html) body.innerHTML = html;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function problems(doc) {
  const out = [];
  for (const s of doc.servers ?? []) if (s.state === 'down') out.push(`server ${s.name} is down: ${s.error ?? ''}`);
  for (const d of doc.devices ?? [])
    if (d.state === 'down') out.push(`device ${d.name} is down${d.lastError ? `: ${d.lastError}` : ''}`);
  if (doc.mqtt?.state === 'down') out.push(`mqtt is down${doc.mqtt.lastError ? `: ${doc.mqtt.lastError}` : ''}`);
  return out;
}

function renderHeader(doc) {
  $('gw-name').textContent = doc.gateway;
  $('gw-version').textContent = `fieldgate ${doc.version}`;
  $('gw-uptime').textContent = `up ${duration(secondsSince(doc.startedAt) ?? doc.uptimeSeconds ?? 0)}`;
  document.title = `${doc.gateway} · fieldgate`;
  const p = problems(doc);
  const health = $('gw-health');
  health.textContent = p.length === 0 ? 'healthy' : `${p.length} problem${p.length > 1 ? 's' : ''}`;
  health.className = `badge ${p.length === 0 ? 'ok' : 'bad'}`;
  const list = p.map((x) => `<li>${esc(x)}</li>`).join('');
  if ($('gw-problems').innerHTML !== list) $('gw-problems').innerHTML = list;
}

function where(s) {
  if (s.serial) return `${esc(s.serial.path)} ${badge(s.serial.state, stateKind(s.serial.state))}`;
  const ports = s.ports ?? [];
  if (ports.length === 0) return '';
  const first = ports[0];
  return ports.length === 1
    ? esc(`${first.address}:${first.port}`)
    : esc(`${first.address}:${first.port}…+${ports.length - 1}`);
}

function renderServers(doc) {
  const rows = (doc.servers ?? []).map((s) => {
    const why = [s.error, s.retry ? `retry ${s.retry.attempts}, next ${ago(s.retry.nextAttemptAt)}` : null]
      .filter(Boolean)
      .join('; ');
    const t = s.totals ?? {};
    return {
      cls: s.state === 'down' ? 'bad' : '',
      cells: [
        esc(s.name),
        esc(s.protocol) + (s.pool ? ' (pool)' : ''),
        badge(s.state, stateKind(s.state)),
        where(s),
        num(s.sessions?.length ?? 0),
        num(t.requests),
        num(t.exceptions),
        num(t.refused),
        `${num(t.bytesIn)} / ${num(t.bytesOut)}`,
        esc(why),
      ],
    };
  });
  setBody(
    'servers',
    paged(
      'servers',
      [
        'name',
        'protocol',
        'state',
        'address',
        'sessions',
        'requests',
        'exceptions',
        'refused',
        'bytes in / out',
        'why',
      ],
      rows,
    ),
  );
}

function renderPools(doc) {
  const pools = (doc.servers ?? []).filter((s) => s.pool);
  show('pools', pools.length > 0);
  const html = pools
    .map((s) => {
      const rows = (s.ports ?? []).map((p) => ({
        cls: p.session ? 'held' : '',
        cells: [
          esc(p.port),
          esc(p.client ?? 'any'),
          p.session ? `${badge('held', 'ok')} ${esc(p.session.remote)}` : badge('free', 'idle'),
          p.session ? esc(ago(p.session.since)) : '',
          p.session ? num(p.session.requests) : '',
        ],
      }));
      return (
        `<h3>${esc(s.name)} <small>refused ${num(s.totals?.refused ?? 0)}</small></h3>` +
        paged(`pool:${s.name}`, ['port', 'reserved for', 'holding client', 'since', 'requests'], rows)
      );
    })
    .join('');
  setBody('pools', html);
}

function renderSessions(doc) {
  const rows = [];
  for (const s of doc.servers ?? [])
    for (const x of s.sessions ?? [])
      rows.push({
        cells: [
          esc(s.name),
          esc(x.remote),
          esc(ago(x.since)),
          num(x.requests),
          `${num(x.bytesIn)} / ${num(x.bytesOut)}`,
        ],
      });
  setBody(
    'sessions',
    paged('sessions', ['server', 'peer', 'since', 'requests', 'bytes in / out'], rows, 'no sessions'),
  );
}

function latency(d) {
  if (typeof d.latencyMs === 'number') return `${d.latencyMs} ms`;
  const l = (d.polls ?? []).map((p) => p.latencyMs).filter((x) => typeof x === 'number');
  return l.length ? `${Math.max(...l)} ms` : '';
}

function renderDevices(doc) {
  const devices = doc.devices ?? [];
  show('devices', devices.length > 0);
  const extra = (d) =>
    [
      d.coalesced !== undefined ? `coalesced ${num(d.coalesced)}` : '',
      d.cacheHits !== undefined ? `cache hits ${num(d.cacheHits)}` : '',
      d.crcErrors ? `CRC errors ${num(d.crcErrors)}` : '',
      d.offlineUnits?.length ? `offline units ${d.offlineUnits.join(', ')}` : '',
      d.framesIn !== undefined ? `frames in ${num(d.framesIn)}` : '',
      d.dropped ? `dropped ${num(d.dropped)}` : '',
    ]
      .filter(Boolean)
      .map(esc)
      .join('<br>');
  const rows = devices.map((d) => ({
    cls: d.state === 'down' ? 'bad' : '',
    cells: [
      esc(d.name),
      esc(d.type),
      badge(d.state, stateKind(d.state)),
      num(d.queue),
      num(d.requests),
      num(d.timeouts),
      latency(d),
      esc(d.lastError ?? ''),
      extra(d),
    ],
  }));
  setBody(
    'devices',
    paged('devices', ['name', 'type', 'state', 'queue', 'requests', 'timeouts', 'latency', 'last error', ''], rows),
  );
}

function renderPolls(doc) {
  const rows = [];
  for (const d of doc.devices ?? [])
    for (const p of d.polls ?? [])
      rows.push({
        cls: p.stale ? 'bad' : '',
        cells: [
          esc(d.name),
          esc(p.unit ?? ''),
          esc(`${p.table}[${p.address}] ×${p.count}`),
          esc(p.into),
          esc(`${p.every} ms`),
          p.stale ? badge('stale', 'bad') : badge('fresh', 'ok'),
          esc(ago(p.lastSuccess)),
          p.latencyMs === null || p.latencyMs === undefined ? '' : esc(`${p.latencyMs} ms`),
          esc(p.lastError ?? ''),
        ],
      });
  show('polls', rows.length > 0);
  setBody(
    'polls',
    paged(
      'polls',
      ['device', 'unit', 'reads', 'into', 'every', 'state', 'last success', 'latency', 'last error'],
      rows,
    ),
  );
}

function fmtValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(7)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function renderBanks(doc) {
  const banks = doc.banks ?? [];
  show('banks', banks.length > 0);
  // set buttons only where the gateway says it takes writes (status.writes: true with a token)
  const writes = ui.writes && doc.console?.writes === true;
  const html = banks
    .map((b) => {
      const rows = b.points.map((p) => ({
        cls: p.updatedAt ? '' : 'idle',
        cells: [
          esc(p.name),
          esc(`${p.table}[${p.address}]`),
          esc(p.type),
          `<span class="value">${esc(fmtValue(p.value))}</span>`,
          esc(ago(p.updatedAt)),
          writes && WRITABLE.has(p.table)
            ? `<button class="set" data-bank="${esc(b.name)}" data-point="${esc(p.name)}" data-table="${esc(p.table)}" data-type="${esc(p.type)}">set</button>`
            : '',
        ],
      }));
      return `<h3>${esc(b.name)} <small>${b.points.length} points</small></h3>${paged(`bank:${b.name}`, ['point', 'register', 'type', 'value', 'age', ''], rows)}`;
    })
    .join('');
  setBody('banks', html);
}

function renderMqtt(doc) {
  const m = doc.mqtt;
  show('mqtt', !!m);
  if (!m) return;
  const kv = [
    ['state', badge(m.state, stateKind(m.state))],
    ['format', esc(m.format)],
    ['broker', esc(m.broker ?? '—')],
    ['connects', num(m.connects)],
    ['last error', esc(m.lastError ?? '')],
    ['messages / bytes / metrics out', `${num(m.messagesOut)} / ${num(m.bytesOut)} / ${num(m.metricsOut)}`],
    [
      'backlog',
      m.backlog ? esc(`${m.backlog.records} records, ${m.backlog.bytes} bytes, ${m.backlog.dropped} dropped`) : '',
    ],
    ['commands accepted / refused', `${num(m.commandsAccepted)} / ${num(m.commandsRefused)}`],
    ['primary host', m.primaryHost ? esc(`${m.primaryHost.id} ${m.primaryHost.online ? 'online' : 'offline'}`) : ''],
  ];
  setBody(
    'mqtt',
    table(
      ['', ''],
      kv.map(([k, v]) => ({ cells: [esc(k), v] })),
    ),
  );
}

function renderCommands(doc) {
  const c = doc.commands ?? [];
  show('commands', c.length > 0);
  const rows = c.map((x) => ({
    cells: [
      esc(x.name),
      esc(x.device),
      x.pending ? 'yes' : 'no',
      num(x.sent),
      num(x.replies),
      num(x.timeouts),
      num(x.failed),
    ],
  }));
  setBody('commands', table(['name', 'device', 'pending', 'sent', 'replies', 'timeouts', 'failed'], rows));
}

function renderWarnings(doc) {
  const w = (doc.warnings ?? []).slice().reverse();
  const rows = w.map((x) => {
    const { time, level, msg, ...rest } = x;
    const fields = Object.entries(rest)
      .filter(([k]) => !['pid', 'hostname', 'v'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
      .join(' ');
    const t = typeof time === 'number' ? new Date(time).toISOString() : (time ?? '');
    return {
      cls: level === 'error' || level >= 50 ? 'bad' : 'warnrow',
      cells: [esc(t), esc(level), esc(msg), esc(fields)],
    };
  });
  setBody('warnings', paged('warnings', ['time', 'level', 'message', ''], rows, 'no warnings'));
}

/* ---- register grid ---- */

function gridTables(doc) {
  const out = [];
  for (const b of doc.banks ?? []) {
    const tables = new Map();
    for (const p of b.points) tables.set(p.table, Math.min(tables.get(p.table) ?? Infinity, p.address));
    for (const [t, first] of tables) out.push({ key: `${b.name}/${t}`, bank: b.name, table: t, first });
  }
  return out;
}

function renderGridChoices(doc) {
  const tables = gridTables(doc);
  show('grid', tables.length > 0);
  const sel = $('grid-table');
  const keys = tables.map((t) => t.key).join('|');
  if (sel.dataset.keys === keys) return;
  sel.dataset.keys = keys;
  sel.innerHTML = tables
    .map((t) => `<option value="${esc(t.key)}" data-first="${t.first}">${esc(t.key)}</option>`)
    .join('');
  if (!tables.some((t) => t.key === ui.gridKey) && tables[0]) {
    ui.gridKey = tables[0].key;
    $('grid-start').value = String(Math.floor(tables[0].first / 10) * 10);
  }
  sel.value = ui.gridKey;
}

const isBits = (t) => t === 'coils' || t === 'discrete';

function float32(hi, lo, order) {
  const b = [hi >> 8, hi & 255, lo >> 8, lo & 255];
  const pick = { ABCD: [0, 1, 2, 3], CDAB: [2, 3, 0, 1], BADC: [1, 0, 3, 2], DCBA: [3, 2, 1, 0] }[order];
  const view = new DataView(new ArrayBuffer(4));
  pick.forEach((i, n) => view.setUint8(n, b[i]));
  return fmtValue(view.getFloat32(0));
}

function gridCell(values, i, format, bits) {
  const v = values[i];
  if (v === undefined) return '';
  if (bits || format === 'dec') return String(v);
  if (format === 'hex') return '0x' + v.toString(16).toUpperCase().padStart(4, '0');
  if (i % 2 === 1) return '<span class="muted">·</span>';
  const lo = values[i + 1];
  return lo === undefined ? '' : esc(float32(v, lo, format));
}

let gridBusy = false;
let gridAgain = false;

async function refreshGrid() {
  if ($('grid').hidden || !ui.gridKey) return;
  if (gridBusy) {
    gridAgain = true;
    return;
  }
  gridBusy = true;
  try {
    const [bank, tableName] = ui.gridKey.split('/');
    const start = Math.max(0, Math.min(65535, Number($('grid-start').value) || 0));
    const count = Math.min(GRID_COUNT, 65536 - start);
    const res = await api(
      `/banks/${encodeURIComponent(bank)}/${encodeURIComponent(tableName)}?start=${start}&count=${count}`,
    );
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      $('grid-error').textContent = `${res.status}: ${body.error ?? res.statusText}`;
      $('grid-error').hidden = false;
      setBody('grid', '');
      return;
    }
    $('grid-error').hidden = true;
    const values = body.values ?? [];
    const format = $('grid-format').value;
    const bits = isBits(tableName);
    $('grid-format').disabled = bits;
    const head = ['address', ...Array.from({ length: 10 }, (_, i) => `+${i}`)];
    const rows = [];
    for (let r = 0; r < values.length; r += 10) {
      const cells = [`<b>${body.start + r}</b>`];
      for (let c = 0; c < 10; c++) cells.push(gridCell(values, r + c, format, bits));
      rows.push({ cells });
    }
    setBody('grid', table(head, rows, 'no registers'));
  } catch (err) {
    $('grid-error').textContent = String(err.message ?? err);
    $('grid-error').hidden = false;
  } finally {
    gridBusy = false;
    if (gridAgain) {
      gridAgain = false;
      void refreshGrid();
    }
  }
}

/* ---- the document ---- */

/** A new document: learn the gateway's clock, render it all, read the register grid again. */
function render(doc) {
  ui.doc = doc;
  learnClock(doc);
  renderSections(doc);
  void refreshGrid();
}

/** Every section from `doc`; also every second, so ages and uptime move between documents. */
function renderSections(doc) {
  renderHeader(doc);
  renderServers(doc);
  renderPools(doc);
  renderSessions(doc);
  renderDevices(doc);
  renderPolls(doc);
  renderBanks(doc);
  renderGridChoices(doc);
  renderMqtt(doc);
  renderCommands(doc);
  renderWarnings(doc);
}

function setLink(text, kind) {
  const el = $('gw-link');
  el.textContent = text;
  el.className = `badge ${kind}`;
}

/* ---- requests, token ---- */

function authHeaders() {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { Authorization: `Bearer ${t}` } : {};
}

let asking = null;

/** Shows the token form (once at a time); resolves when a token was entered, rejects on cancel. */
function askToken(why) {
  if (asking) return asking;
  const dialog = $('token-dialog');
  $('token-why').textContent = why;
  $('token-value').value = '';
  asking = new Promise((resolve, reject) => {
    const done = (ok) => {
      $('token-form').onsubmit = null;
      $('token-cancel').onclick = null;
      dialog.close();
      asking = null;
      if (ok) resolve();
      else reject(new Error('no token given'));
    };
    $('token-form').onsubmit = (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('token-value').value.trim());
      done(true);
    };
    $('token-cancel').onclick = () => done(false);
  });
  dialog.showModal();
  return asking;
}

/** fetch on the gateway with the token; a 401 asks for the token (again if the one kept was refused). */
async function api(path, init = {}) {
  for (;;) {
    const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), ...authHeaders() } });
    if (res.status !== 401) return res;
    const had = sessionStorage.getItem(TOKEN_KEY);
    if (had) sessionStorage.removeItem(TOKEN_KEY);
    await askToken(had ? 'The token was refused; enter it again.' : 'The gateway asks for its access token.');
  }
}

/* ---- live updates: EventSource, else an authorized event stream, else polling /status ---- */

function connect() {
  if (typeof EventSource !== 'function' || sessionStorage.getItem(TOKEN_KEY)) {
    void streamWithToken();
    return;
  }
  const es = new EventSource('/events');
  let opened = false;
  es.onopen = () => {
    opened = true;
    setLink('live', 'ok');
  };
  es.addEventListener('status', (e) => render(JSON.parse(e.data)));
  es.onerror = () => {
    if (opened && es.readyState !== EventSource.CLOSED) {
      setLink('reconnecting', 'warn');
      return;
    }
    es.close();
    void streamWithToken();
  };
}

/** The event stream read with fetch (EventSource cannot send a token); polling when that fails too. */
async function streamWithToken() {
  let res;
  try {
    res = await api('/events', { headers: { Accept: 'text/event-stream' } });
  } catch {
    res = null;
  }
  if (!res || !res.ok || !res.body) {
    poll();
    return;
  }
  setLink('live', 'ok');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let event = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (event === 'status' && data.length) render(JSON.parse(data.join('\n')));
      }
    }
  } catch {
    // the stream broke: start over below
  }
  setLink('reconnecting', 'warn');
  setTimeout(() => void streamWithToken(), POLL_MS);
}

function poll() {
  setLink('polling every 2 s', 'warn');
  const once = async () => {
    try {
      const res = await api('/status');
      if (res.ok) {
        render(await res.json());
        setLink('polling every 2 s', 'warn');
      } else setLink(`status ${res.status}`, 'bad');
    } catch {
      setLink('gateway unreachable', 'bad');
    }
    setTimeout(() => void once(), POLL_MS);
  };
  void once();
}

/* ---- writes ---- */

function parseValue(text, table, type) {
  const t = text.trim();
  if (table === 'coils') {
    if (/^(1|on|true)$/i.test(t)) return true;
    if (/^(0|off|false)$/i.test(t)) return false;
    throw new Error('a coil takes 1/0, on/off or true/false');
  }
  if (type === 'string') return t;
  if (t === '' || !Number.isFinite(Number(t))) throw new Error(`not a number: ${t}`);
  return Number(t);
}

function openWrite(btn) {
  const { bank, point, table: t, type } = btn.dataset;
  const p = ui.doc?.banks?.find((b) => b.name === bank)?.points.find((x) => x.name === point);
  const dialog = $('write-dialog');
  $('write-name').textContent = `${bank}.${point}`;
  $('write-info').textContent = `${t}[${p?.address ?? '?'}], ${type}, now ${fmtValue(p?.value)}`;
  $('write-value').value = '';
  $('write-edit').hidden = false;
  $('write-confirm').hidden = true;
  $('write-result').textContent = '';
  $('write-result').className = '';
  let value;
  $('write-form').onsubmit = (e) => {
    e.preventDefault();
    try {
      value = parseValue($('write-value').value, t, type);
    } catch (err) {
      $('write-result').textContent = err.message;
      $('write-result').className = 'error';
      return;
    }
    $('write-question').textContent =
      `Write ${JSON.stringify(value)} to ${bank}.${point} (${t}[${p?.address ?? '?'}])?`;
    $('write-edit').hidden = true;
    $('write-confirm').hidden = false;
    $('write-result').textContent = '';
    $('write-ok').focus();
  };
  $('write-back').onclick = () => {
    $('write-edit').hidden = false;
    $('write-confirm').hidden = true;
  };
  $('write-cancel').onclick = () => dialog.close();
  $('write-ok').onclick = async () => {
    $('write-ok').disabled = true;
    $('write-result').textContent = 'writing…';
    $('write-result').className = '';
    try {
      const res = await api(`/banks/${encodeURIComponent(bank)}/points/${encodeURIComponent(point)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ value }),
      });
      const body = await res.json().catch(() => ({}));
      if (res.ok) {
        $('write-result').textContent = `written: ${JSON.stringify(value)}`;
        $('write-result').className = 'ok';
        $('write-confirm').hidden = true;
        $('write-edit').hidden = false;
      } else {
        $('write-result').textContent = `refused (${res.status}): ${body.error ?? res.statusText}`;
        $('write-result').className = 'error';
        if (res.status === 403 || res.status === 405) ui.writes = !/writes/i.test(body.error ?? '');
      }
    } catch (err) {
      $('write-result').textContent = `not written: ${err.message ?? err}`;
      $('write-result').className = 'error';
    } finally {
      $('write-ok').disabled = false;
    }
  };
  dialog.showModal();
}

/* ---- events of the page ---- */

document.addEventListener('click', (e) => {
  const target = e.target instanceof Element ? e.target : null;
  const pageBtn = target?.closest('.pager button');
  if (pageBtn) {
    ui.pages.set(pageBtn.parentElement.dataset.key, Number(pageBtn.dataset.page));
    if (ui.doc) renderSections(ui.doc);
    return;
  }
  const setBtn = target?.closest('button.set');
  if (setBtn) openWrite(setBtn);
});

$('grid-table').addEventListener('change', () => {
  ui.gridKey = $('grid-table').value;
  const first = Number($('grid-table').selectedOptions[0]?.dataset.first ?? 0);
  $('grid-start').value = String(Math.floor(first / 10) * 10);
  void refreshGrid();
});
$('grid-format').addEventListener('change', () => void refreshGrid());
$('grid-start').addEventListener('change', () => void refreshGrid());
$('grid-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void refreshGrid();
});
const step = (d) => {
  $('grid-start').value = String(Math.max(0, Math.min(65535, (Number($('grid-start').value) || 0) + d)));
  void refreshGrid();
};
$('grid-prev').addEventListener('click', () => step(-GRID_COUNT));
$('grid-next').addEventListener('click', () => step(GRID_COUNT));

setInterval(() => {
  if (ui.doc) renderSections(ui.doc);
}, CLOCK_MS);

connect();
