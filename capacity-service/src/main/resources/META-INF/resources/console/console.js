// The fleet console: polls capacity-service's /v1/fleet (regions → nodes → rooms, reservations,
// drains, bookings) and /console/api/alerts (Prometheus), renders them, and sends the operator's
// admin actions through /console/api with the admin token typed in the page. The token lives in
// this page's memory only. Every value from the fleet is inserted as text, never as HTML (room
// names come from users).
'use strict';

const FLEET_EVERY_MS = 2000;
const ALERTS_EVERY_MS = 5000;
let lastFleet = null;

/** Builds an element; children are nodes or strings (inserted as text). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const pct = (ratio) => `${Math.round(ratio * 100)} %`;
const num = (n) => Number(n).toLocaleString('en');

function say(text, error) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
  m.hidden = false;
}

async function admin(method, path, body) {
  const token = document.getElementById('credential').value.trim();
  const headers = body ? { 'content-type': 'application/json' } : {};
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`/console/api${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await response.text();
  let detail = text;
  try { const j = JSON.parse(text); detail = j.detail || j.title || text; } catch { /* plain text */ }
  if (!response.ok) {
    say(`${method} ${path}: ${response.status} ${response.status === 401 || response.status === 403
      ? 'the admin token was refused' : detail}`, true);
    return null;
  }
  return text ? JSON.parse(text) : {};
}

function nodeView(entry) {
  const n = entry.load;
  const limit = Math.max(1, n.limitSubscriptions);
  const model = Math.min(100, (n.subscriptions / limit) * 100);
  const reserved = Math.min(100 - model, (entry.reservedSubscriptions / limit) * 100);
  const measured = Math.min(100, (n.measured.numTracksOut / limit) * 100);
  const health = n.headroomRatio < 0 ? 'over' : n.headroomRatio < 0.2 ? 'low' : 'ok';
  const gone = n.state === 'GONE';
  const drainButton = gone ? null : h('button', {
    type: 'button', class: 'drain-button', 'data-action': entry.draining ? 'undrain' : 'drain',
    onclick: async () => {
      const done = await admin(entry.draining ? 'DELETE' : 'POST', `/nodes/${encodeURIComponent(n.id)}/drain`);
      if (done) { say(`${n.id} ${done.draining ? 'is draining: no new rooms' : 'takes new rooms again'}`); refresh(); }
    },
  }, entry.draining ? 'Undrain' : 'Drain');
  const booking = entry.booking && h('span', { class: 'badge booked' },
    `booked for ${entry.booking.room} (${num(entry.booking.participants)}) until ${new Date(entry.booking.untilEpochMillis).toLocaleString()}`);
  const release = entry.booking && h('button', {
    type: 'button', class: 'release-button',
    onclick: async () => {
      if (await admin('DELETE', `/scheduled-rooms/${encodeURIComponent(n.region)}/${encodeURIComponent(entry.booking.room)}`)) {
        say(`booking of ${entry.booking.room} released`); refresh();
      }
    },
  }, 'Release booking');
  return h('div', {
    class: `node ${health}`, 'data-node': n.id, 'data-state': n.state, 'data-draining': String(entry.draining),
    'data-subscriptions': n.subscriptions, 'data-measured': n.measured.numTracksOut,
    'data-reserved': entry.reservedSubscriptions, 'data-limit': n.limitSubscriptions,
  },
  h('div', { class: 'node-head' }, h('code', {}, n.id), h('span', { class: `state ${n.state}` }, n.state),
    entry.draining && h('span', { class: 'badge draining' }, 'DRAINING'), booking, release, drainButton),
  h('div', { class: 'bar', title: `model ${n.subscriptions}, reserved ${entry.reservedSubscriptions}, measured ${n.measured.numTracksOut}, limit ${n.limitSubscriptions}` },
    h('div', { class: 'model', style: `width:${model}%` }),
    h('div', { class: 'reserved', style: `left:${model}%;width:${reserved}%` }),
    h('div', { class: 'measured', style: `left:calc(${measured}% - 1px)` })),
  h('div', { class: 'figures' },
    `model ${num(n.subscriptions)} subscriptions · LiveKit measured ${num(n.measured.numTracksOut)} tracks out`,
    n.deviation ? ` (off by ${num(n.deviation)})` : '',
    ` · reserved ${num(entry.reservedSubscriptions)} · limit ${num(n.limitSubscriptions)} · headroom `,
    h('span', { class: health === 'over' ? 'over' : '' }, pct(n.headroomRatio)),
    ` · ${num(n.rooms)} rooms, ${num(n.participants)} participants · cpu ${pct(n.measured.cpuLoad)}`),
  entry.rooms.length === 0 ? null : h('table', { class: 'rooms' },
    h('tr', {}, h('th', {}, 'room'), h('th', {}, 'participants'), h('th', {}, 'publishers'), h('th', {}, 'subscriptions')),
    entry.rooms.map((r) => h('tr', { 'data-room': r.name }, h('td', {}, r.name), h('td', {}, num(r.participants)),
      h('td', {}, num(r.publishers)), h('td', {}, num(r.subscriptions))))));
}

function regionView(region) {
  const t = region.totals;
  const g = region.guards;
  const flagged = [];
  if (g.idleRooms.length) flagged.push(`rooms nobody closed: ${g.idleRooms.join(', ')}`);
  if (g.egressWithoutPublishers.length) flagged.push(`egress without publishers: ${g.egressWithoutPublishers.join(', ')}`);
  return h('section', { class: 'region', 'data-region': t.name },
    h('h2', {}, t.name, h('small', {}, `${num(t.rooms)} rooms · ${num(t.participants)} participants · ${num(t.subscriptions)}`
      + ` / ${num(t.limitSubscriptions)} subscriptions · headroom ${pct(t.headroomRatio)} · ${t.nodesServing} nodes serving`
      + (t.nodesGone ? `, ${t.nodesGone} gone` : ''))),
    flagged.length ? h('div', { class: 'guards' }, flagged.join(' · ')) : null,
    region.nodes.map(nodeView));
}

function renderFleet(fleet) {
  lastFleet = fleet;
  document.getElementById('regions').replaceChildren(...fleet.regions.map(regionView));
  document.getElementById('updated').textContent = `updated ${new Date(fleet.at).toLocaleTimeString()}`;
  const select = document.querySelector('#book-form select[name=region]');
  if (select.options.length === 0) {
    fleet.regions.forEach((r) => select.append(h('option', { value: r.totals.name }, r.totals.name)));
  }
}

function renderAlerts(answer) {
  const body = document.getElementById('alerts-body');
  if (answer.error) {
    body.replaceChildren(h('span', { class: 'muted' }, `alerts unavailable: ${answer.error}`));
    return;
  }
  const alerts = [...answer.alerts].sort((a, b) => (a.state === b.state ? 0 : a.state === 'firing' ? -1 : 1));
  body.className = '';
  if (alerts.length === 0) {
    body.replaceChildren(h('span', { class: 'no-alerts' }, 'No alerts pending or firing'));
    return;
  }
  body.replaceChildren(...alerts.map((a) => {
    const where = Object.entries(a.labels).filter(([k]) => !['alertname', 'severity'].includes(k))
      .map(([k, v]) => `${k}=${v}`).join(' ');
    return h('div', { class: `alert ${a.state}`, 'data-alert': a.labels.alertname, 'data-state': a.state },
      h('span', { class: 'name' }, a.labels.alertname), ` ${a.state.toUpperCase()} (${a.labels.severity || 'no severity'}) `,
      h('span', { class: 'muted' }, where), h('div', {}, a.annotations.summary || ''));
  }));
}

async function refresh() {
  try {
    const response = await fetch('/v1/fleet');
    if (!response.ok) throw new Error(`capacity-service answered ${response.status}`);
    renderFleet(await response.json());
  } catch (e) {
    document.getElementById('updated').textContent = `update failed: ${e.message} (showing the last view)`;
  }
}

async function refreshAlerts() {
  try {
    renderAlerts(await (await fetch('/console/api/alerts')).json());
  } catch (e) {
    renderAlerts({ error: e.message });
  }
}

document.getElementById('book-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const f = new FormData(event.target);
  const booked = await admin('POST', '/scheduled-rooms', {
    region: f.get('region'), room: f.get('room'), participants: Number(f.get('participants')),
    publishers: Number(f.get('publishers')), until: new Date(f.get('until')).toISOString(),
  });
  if (booked) { say(`${booked.room} booked node ${booked.nodeId ?? booked.node_id} in ${booked.region}`); refresh(); }
});

document.getElementById('sizing-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const query = new URLSearchParams(new FormData(event.target));
  const response = await fetch(`/v1/sizing?${query}`);
  const s = await response.json();
  const out = document.getElementById('sizing-result');
  if (!response.ok) {
    out.replaceChildren(h('dt', {}, 'error'), h('dd', {}, s.detail || response.status));
    return;
  }
  const rows = [['nodes needed', `${s.nodes} (${s.nodesForSubscriptions} for subscriptions, ${s.nodesForEgress} for egress)`],
    ['rooms', num(Math.round(s.rooms))], ['forwarded tracks', num(Math.round(s.subscriptions))],
    ['video / audio', `${num(Math.round(s.videoSubscriptions))} / ${num(Math.round(s.audioSubscriptions))}`],
    ['egress', `${s.egressGbps.toFixed(2)} Gbit/s`],
    ['one node carries', `${num(s.nodeLimit.maxSubscriptions)} subscriptions`],
    ['largest room fits one node', s.largestRoomFits ? 'yes' : 'NO: one room cannot span nodes']];
  out.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-field': k }, v)]));
});

const tomorrow = new Date(Date.now() + 86400000);
document.querySelector('#book-form input[name=until]').value =
  new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
refresh();
refreshAlerts();
setInterval(refresh, FLEET_EVERY_MS);
setInterval(refreshAlerts, ALERTS_EVERY_MS);
