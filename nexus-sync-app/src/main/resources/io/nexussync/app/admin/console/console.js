// The nexus-sync web console: reads the admin API's JSON and draws it. No framework, no build step.
// Every value from the server reaches the page as text (textContent, setAttribute), never as markup.
'use strict';

const TOKEN_KEY = 'nexus-sync.admin-token';
const REFRESH_MS = 2000;
/** The lists behind the admin token wait on PostgreSQL: read them every few refreshes, one at a time. */
const GUARDED_EVERY = 3;
const SVG = 'http://www.w3.org/2000/svg';
const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

// ---- small DOM helpers ----------------------------------------------------------------------------------------------

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function byId(id) {
  return document.getElementById(id);
}

function setText(id, value) {
  byId(id).textContent = value === undefined || value === null || value === '' ? '–' : String(value);
}

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function show(value) {
  if (value === undefined || value === null) return '–';
  if (typeof value === 'number') return numbers.format(value);
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return when(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** An instant as this browser's local time, with the date only when it is not today. */
function when(iso) {
  const date = new Date(iso);
  const time = date.toLocaleTimeString();
  return date.toDateString() === new Date().toDateString() ? time : date.toLocaleDateString() + ' ' + time;
}

function bytes(value) {
  if (value === undefined || value === null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let unit = 0;
  while (Math.abs(v) >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit++;
  }
  return (unit === 0 ? v : v.toFixed(1)) + ' ' + units[unit];
}

/** A definition list of an object's fields (nested objects as JSON text). */
function fillFigures(dl, object, skip) {
  dl.replaceChildren();
  if (!object) {
    dl.append(el('dt', {}, 'not reported'), el('dd', {}, '–'));
    return;
  }
  for (const [key, value] of Object.entries(object)) {
    if (skip && skip.includes(key)) continue;
    dl.append(el('dt', {}, key), el('dd', { 'data-key': key }, show(value)));
  }
}

/** A table of rows with the given columns; `extra(row)` may add a last cell (buttons). */
function table(rows, columns, extra) {
  const head = el('tr', {}, ...columns.map(c => el('th', {}, c.title)));
  if (extra) head.append(el('th', {}, ''));
  const body = el('tbody');
  for (const row of rows) {
    const tr = el('tr', { 'data-id': row.id });
    for (const c of columns) tr.append(el('td', { class: c.className }, c.format ? c.format(row[c.key], row) : show(row[c.key])));
    if (extra) tr.append(extra(row));
    body.append(tr);
  }
  return el('table', {}, el('thead', {}, head), body);
}

function message(text, kind) {
  return el('p', { class: 'message ' + (kind || '') }, text);
}

// ---- the API --------------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, text) {
    super(text);
    this.status = status;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

function updateTokenState() {
  const held = token() !== null;
  byId('token-state').textContent = held ? 'admin token entered for this tab' : 'read-only: no admin token entered';
  byId('token-enter').hidden = held;
  byId('token-forget').hidden = !held;
}

/**
 * One call to the admin API. A call refused for want of the token (401) asks for it when `interactive` (a button was
 * pressed), keeps it in this tab's sessionStorage and tries once more. 403 means the service has no token configured:
 * asking would not help, so its message is shown as it is.
 */
async function api(method, path, body, interactive) {
  const headers = { Accept: 'application/json' };
  const held = token();
  if (held !== null) headers.Authorization = 'Bearer ' + held;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, cache: 'no-store', credentials: 'omit',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch (ignored) {
    // not JSON: the status says enough
  }
  const error = data && typeof data.error === 'string' ? data.error : response.status + ' ' + response.statusText;
  if (response.status === 401 && interactive) {
    const entered = await ask('Admin token', error + ' Enter the admin token (NEXUS_SYNC_ADMIN_TOKEN); it is kept in this tab only.',
      'password');
    if (entered) {
      sessionStorage.setItem(TOKEN_KEY, entered);
      updateTokenState();
      return api(method, path, body, interactive);
    }
  }
  if (!response.ok && !(path.startsWith('/health') && response.status === 503)) throw new ApiError(response.status, error);
  return data;
}

/** Asks for one value in the page's dialog; resolves to the text, or null when cancelled. */
function ask(title, text, type) {
  const dialog = byId('ask');
  const input = byId('ask-input');
  byId('ask-title').textContent = title;
  byId('ask-text').textContent = text;
  input.type = type || 'text';
  input.value = '';
  return new Promise(resolve => {
    const done = value => {
      byId('ask-form').onsubmit = null;
      byId('ask-cancel').onclick = null;
      dialog.close();
      resolve(value);
    };
    byId('ask-form').onsubmit = event => {
      event.preventDefault();
      done(input.value.trim() === '' ? null : input.value.trim());
    };
    byId('ask-cancel').onclick = () => done(null);
    dialog.showModal();
    input.focus();
  });
}

// ---- the chart ------------------------------------------------------------------------------------------------------

/** A line over time in an SVG of viewBox 600x160: the window's samples left to right, zero at the bottom. */
function drawChart(chart, samples, value, format, windowSeconds) {
  const width = 600, height = 160, left = 56, right = 8, top = 10, bottom = 20;
  chart.replaceChildren();
  const points = samples.filter(s => value(s) !== null && value(s) !== undefined);
  const now = samples.length ? Date.parse(samples[samples.length - 1].at) : Date.now();
  // The span shown grows with the samples, from one minute up to the whole window, so a young service's line is readable.
  const kept = samples.length ? (now - Date.parse(samples[0].at)) / 1000 : 0;
  const spanSeconds = Math.min(windowSeconds, Math.max(60, Math.ceil(kept / 60) * 60));
  const from = now - spanSeconds * 1000;
  const max = Math.max(1, ...points.map(value));
  const top10 = niceCeiling(max);
  const x = at => left + (width - left - right) * Math.max(0, (Date.parse(at) - from) / (now - from || 1));
  const y = v => top + (height - top - bottom) * (1 - v / top10);
  for (const fraction of [0, 0.5, 1]) {
    const level = top10 * fraction;
    chart.append(svg('line', { class: 'grid', x1: left, x2: width - right, y1: y(level), y2: y(level) }));
    const label = svg('text', { x: left - 4, y: y(level) + 4, 'text-anchor': 'end' });
    label.textContent = format(level);
    chart.append(label);
  }
  const minutes = Math.round(spanSeconds / 60);
  for (const [text, position, anchor] of [['−' + minutes + ' min', left, 'start'], ['now', width - right, 'end']]) {
    const label = svg('text', { x: position, y: height - 5, 'text-anchor': anchor });
    label.textContent = text;
    chart.append(label);
  }
  if (points.length === 0) {
    const empty = svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle' });
    empty.textContent = 'no samples yet';
    chart.append(empty);
    return;
  }
  const line = points.map(s => x(s.at).toFixed(1) + ',' + y(value(s)).toFixed(1));
  const first = points[0], last = points[points.length - 1];
  chart.append(svg('polygon', {
    class: 'area',
    points: [x(first.at).toFixed(1) + ',' + y(0)].concat(line, [x(last.at).toFixed(1) + ',' + y(0)]).join(' '),
  }));
  chart.append(svg('polyline', { class: 'line', points: line.join(' '), 'data-points': points.length }));
}

/** 1, 2 or 5 times a power of ten, at least `value`: round numbers for the axis. */
function niceCeiling(value) {
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

// ---- the sections ---------------------------------------------------------------------------------------------------

function renderStatus(status) {
  const state = byId('state');
  state.textContent = status.state;
  state.className = 'badge ' + ({ streaming: 'ok', snapshot: 'warn', starting: 'warn', retrying: 'warn', reconnecting: 'warn' }[status.state] || 'bad');
  setText('changes-applied', show(status.changesApplied));
  setText('batches-applied', show(status.batchesApplied));
  setText('retries', show(status.retries));
  setText('graph-checkpoint', status.graphCheckpoint);
  setText('last-batch-at', show(status.lastBatchAt));
  setText('last-error', status.lastError);

  const lanes = byId('lanes').tBodies[0];
  lanes.replaceChildren();
  for (const [lane, waiting] of Object.entries(status.queue.pendingByLane)) {
    lanes.append(el('tr', { 'data-lane': lane }, el('td', {}, lane), el('td', { class: 'num' }, show(waiting))));
  }
  const queue = Object.assign({}, status.queue);
  delete queue.pendingByLane;
  queue.readAheadBytes = bytes(queue.readAheadBytes);
  fillFigures(byId('queue'), queue);

  const circuits = byId('circuits').tBodies[0];
  circuits.replaceChildren();
  for (const [target, circuit] of Object.entries(status.circuits || {})) {
    circuits.append(el('tr', { 'data-circuit': target },
      el('td', {}, target),
      el('td', {}, el('span', { class: 'badge ' + (circuit.state === 'CLOSED' ? 'ok' : circuit.state === 'OPEN' ? 'bad' : 'warn') }, circuit.state)),
      el('td', {}, show(circuit.since)),
      el('td', { class: 'num' }, show(circuit.timesOpened)),
      el('td', { class: 'error' }, circuit.lastError || '')));
  }

  const slot = status.slot ? Object.assign({}, status.slot) : null;
  if (slot) {
    slot.lagBytes = bytes(slot.lagBytes);
    slot.walWarnBytes = bytes(slot.walWarnBytes);
    slot.safeWalBytes = bytes(slot.safeWalBytes);
  }
  fillFigures(byId('slot'), slot, ['retainedWalBytes']);

  renderSnapshot(status.snapshot);
  renderVerify(status.verify);
  fillFigures(byId('reverse'), status.reverse);
  fillFigures(byId('critical'), status.critical);
}

function renderSnapshot(snapshot) {
  const box = byId('snapshot');
  box.replaceChildren();
  if (!snapshot) {
    box.append(message('No initial snapshot in this run: the graph held one when the service started.'));
    return;
  }
  const total = snapshot.rowsTotal || 0;
  box.append(el('p', { class: 'message' }, snapshot.phase + (snapshot.table ? ' · ' + snapshot.table : '')));
  if (total > 0) box.append(el('progress', { max: total, value: Math.min(snapshot.rowsDone, total) }));
  const dl = el('dl', { class: 'figures' });
  fillFigures(dl, snapshot, ['phase', 'table']);
  box.append(dl);
}

function renderVerify(verify) {
  const box = byId('verify');
  box.replaceChildren();
  if (!verify) {
    box.append(message('Verify is not part of this service.'));
    return;
  }
  box.append(message(verify.running ? 'running' : 'not running'));
  const progress = verify.progress;
  if (progress && progress.entitiesTotal > 0) box.append(el('progress', { max: progress.entitiesTotal, value: progress.entities }));
  for (const [title, part] of [['progress', progress], ['last run', verify.last]]) {
    if (!part) continue;
    const dl = el('dl', { class: 'figures' });
    fillFigures(dl, part);
    box.append(el('h3', {}, title), dl);
  }
}

function renderHealth(health) {
  const badge = byId('health');
  badge.textContent = health.ready ? 'ready' : health.live ? 'live, not ready' : 'not live';
  badge.className = 'badge ' + (health.ready ? 'ok' : health.live ? 'warn' : 'bad');
  const reasons = byId('health-reasons');
  reasons.replaceChildren(...(health.reasons || []).map(reason => el('li', {}, reason)));
}

function renderHistory(history) {
  const samples = history.samples || [];
  const windowSeconds = history.windowSeconds || 600;
  drawChart(byId('chart-throughput'), samples, s => s.changesPerSecond, v => numbers.format(v), windowSeconds);
  drawChart(byId('chart-pending'), samples, s => s.pending, v => numbers.format(v), windowSeconds);
  drawChart(byId('chart-slot-lag'), samples, s => s.slotLagBytes, bytes, windowSeconds);
  const last = samples[samples.length - 1];
  setText('throughput-now', last ? numbers.format(last.changesPerSecond) + ' changes/s' : null);
}

/** A list behind the admin token: without one entered, a button to enter it instead of a call that would be refused. */
async function renderGuarded(boxId, path, draw) {
  const box = byId(boxId);
  if (token() === null) {
    box.replaceChildren(message('Needs the admin token.'), el('button', { type: 'button', 'data-action': 'enter-token' }, 'Enter admin token'));
    return;
  }
  try {
    const rows = await api('GET', path);
    box.replaceChildren(...draw(rows));
  } catch (e) {
    if (e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      updateTokenState();
    }
    if (e.status === 503) return; // busy with other PostgreSQL calls: keep what is shown
    if (e.status === 404) {
      box.replaceChildren(message('This service does not offer ' + path + '.'));
      return;
    }
    box.replaceChildren(message(e.message, 'bad'));
  }
}

function deadLetterRows(rows) {
  if (rows.length === 0) return [message('No dead letters wait.', 'ok')];
  const columns = [
    { key: 'id', title: '#' }, { key: 'createdAt', title: 'Recorded' }, { key: 'table', title: 'Table' },
    { key: 'entityKey', title: 'Key' }, { key: 'operation', title: 'Operation' }, { key: 'status', title: 'Status' },
    { key: 'behind', title: 'Behind', format: v => (v ? '#' + v : '') }, { key: 'error', title: 'Error', className: 'error' },
  ];
  return [table(rows, columns, row => {
    const cell = el('td', { class: 'actions' });
    if (row.status === 'open') {
      cell.append(
        el('button', { type: 'button', class: 'retry', 'data-action': 'retry', 'data-id': row.id }, 'Retry'), ' ',
        el('button', { type: 'button', class: 'skip', 'data-action': 'skip', 'data-id': row.id }, 'Skip'));
    }
    return cell;
  })];
}

function conflictRows(rows) {
  if (rows.length === 0) return [message('No open conflicts.', 'ok')];
  return [table(rows, [
    { key: 'id', title: '#' }, { key: 'detectedAt', title: 'Detected' }, { key: 'table', title: 'Table' }, { key: 'key', title: 'Key' },
    { key: 'property', title: 'Property' }, { key: 'kind', title: 'Kind' }, { key: 'decision', title: 'Decision' },
    { key: 'status', title: 'Status' }, { key: 'postgres', title: 'PostgreSQL', format: v => show(v && v.value) },
    { key: 'graph', title: 'Graph', format: v => show(v && v.value) },
  ])];
}

function backfillRows(rows) {
  if (rows.length === 0) return [message('No backfills requested.')];
  return [table(rows, [
    { key: 'id', title: '#' }, { key: 'table', title: 'Table' }, { key: 'state', title: 'State' },
    { key: 'rowsDone', title: 'Rows', className: 'num' }, { key: 'requestedBy', title: 'By' },
    { key: 'updatedAt', title: 'Updated' }, { key: 'error', title: 'Error', className: 'error' },
  ])];
}

/** The transaction log's newest rows: batches with their size, and each failed or retried change named in both systems. */
function logRows(rows) {
  if (rows.length === 0) return [message('Nothing logged yet.')];
  return [table(rows, [
    { key: 'id', title: '#' }, { key: 'loggedAt', title: 'Logged' }, { key: 'operation', title: 'Operation' },
    { key: 'status', title: 'Status' },
    { key: 'postgres', title: 'PostgreSQL', format: (v, row) => (v ? show(v.table) + ' ' + show(v.key) : row.changes !== undefined ? show(row.changes) + ' changes' : show(row.entity)) },
    { key: 'graph', title: 'Graph', format: v => (v ? [v.label, v.id].filter(x => x).join(' ') : '') },
    { key: 'retryCount', title: 'Retries', className: 'num' },
    { key: 'deadLetterId', title: 'Dead letter', format: v => (v ? '#' + v : '') },
  ])];
}

/** Critical writes: the prepared ones first (the longest waiting on top), then the newest finished, with why a rollback happened. */
function criticalRows(rows) {
  if (rows.length === 0) return [message('No critical writes yet.')];
  return [table(rows, [
    { key: 'gid', title: 'Transaction' }, { key: 'state', title: 'State', format: v => show(v).replace('_', ' ') },
    { key: 'decision', title: 'Graph decided', format: (v, row) => (v ? v + (row.decidedBy ? ' (' + row.decidedBy + ')' : '') : '') },
    { key: 'preparedAt', title: 'Prepared' }, { key: 'finishedAt', title: 'Finished' },
    { key: 'reason', title: 'Reason', className: 'error', format: v => (v ? v : '') },
  ])];
}

// ---- actions --------------------------------------------------------------------------------------------------------

async function deadLetterAction(button) {
  const id = button.getAttribute('data-id');
  const action = button.getAttribute('data-action');
  const outcome = byId('dead-letter-outcome');
  let body = {};
  if (action === 'skip') {
    const reason = await ask('Skip dead letter #' + id, 'Why is it skipped? The reason is recorded with the skip.', 'text');
    if (reason === null) return;
    body = { reason };
  }
  button.disabled = true;
  try {
    const release = await api('POST', '/dlq/' + encodeURIComponent(id) + '/' + action, body, true);
    outcome.replaceChildren(message((action === 'retry' ? 'Retried' : 'Skipped') + ' dead letter #' + id + ': ' + show(release.deadLetters)
      + ' dead letter(s) released, ' + show(release.rowsReRead) + ' row(s) re-read.', 'ok'));
    setTimeout(() => refreshGuarded(), 500);
  } catch (e) {
    button.disabled = false;
    outcome.replaceChildren(message(action + ' #' + id + ' failed: ' + e.message, 'bad'));
  }
}

// ---- the loop -------------------------------------------------------------------------------------------------------

async function refreshGuarded() {
  await renderGuarded('dead-letters', '/dlq', deadLetterRows);
  await renderGuarded('backfills', '/backfill', backfillRows);
  await renderGuarded('transaction-log', '/log?limit=20', logRows);
  await renderGuarded('critical-transactions', '/critical?limit=20', criticalRows);
  // /conflicts is there when reverse sync is part of the service, which /status shows.
  if (lastStatus && lastStatus.reverse) {
    await renderGuarded('conflicts', '/conflicts', conflictRows);
  }
}

let ticks = 0;
let lastStatus = null;

async function refresh() {
  const problem = byId('problem');
  try {
    const [status, health, history] = await Promise.all([api('GET', '/status'), api('GET', '/health'), api('GET', '/status/history')]);
    lastStatus = status;
    renderStatus(status);
    renderHealth(health);
    renderHistory(history);
    problem.hidden = true;
    byId('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    problem.textContent = 'The service does not answer: ' + e.message;
    problem.hidden = false;
  }
  if (ticks++ % GUARDED_EVERY === 0) await refreshGuarded();
}

async function enterToken() {
  const entered = await ask('Admin token', 'Enter the admin token (NEXUS_SYNC_ADMIN_TOKEN); it is kept in this tab only.', 'password');
  if (entered) {
    sessionStorage.setItem(TOKEN_KEY, entered);
    updateTokenState();
    await refreshGuarded();
  }
}

document.addEventListener('DOMContentLoaded', () => {
  updateTokenState();
  byId('token-enter').addEventListener('click', enterToken);
  byId('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    updateTokenState();
    refreshGuarded();
  });
  document.body.addEventListener('click', event => {
    const button = event.target.closest('button[data-action]');
    if (!button) return;
    const action = button.getAttribute('data-action');
    if (action === 'enter-token') enterToken();
    else if (action === 'retry' || action === 'skip') deadLetterAction(button);
  });
  const loop = async () => {
    await refresh();
    setTimeout(loop, REFRESH_MS);
  };
  loop();
});
