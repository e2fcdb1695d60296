// The instances page (the index): one page of servers at a time from
// GET /v2.1/servers/detail with limit/marker, sorted and filtered by the API
// (status from the URL /dashboard/instances/filter/<vm_state>, name as a
// regular expression), row and bulk actions under Nova's state rules, and
// live status: while any row has a task in progress the page polls the same
// page every 2 s and updates the rows in place; it stops when nothing is in flight.
import * as api from '../api.js';
import { h, clear, notify, dialog, age, addresses, escapeRegex } from '../ui.js';
import { navigate } from '../main.js';
import { allowedActions, allows, inFlight, LABELS, BULK, STATUS_FOR_VM_STATE, vmState, taskState } from '../state_rules.js';
import { runAction } from './actions.js';

const POLL_MS = 2000;
const COLUMNS = [
  // [key, title, sort_key (null: not sortable), admin only]
  ['name', 'Name', 'display_name'],
  ['image', 'Image', 'image_ref'],
  ['ips', 'IP addresses', null],
  ['flavor', 'Flavor', 'instance_type_id'],
  ['key', 'Key pair', 'key_name'],
  ['status', 'Status', 'vm_state'],
  ['task', 'Task', 'task_state'],
  ['power', 'Power', 'power_state'],
  ['host', 'Zone / host', 'host', true],
  ['age', 'Age', 'created_at'],
];
const POWER = { 0: 'NOSTATE', 1: 'Running', 3: 'Paused', 4: 'Shut down', 6: 'Crashed', 7: 'Suspended' };

export async function lookups() {
  const [flavors, images] = await Promise.all([
    api.cached('flavors', async () => (await api.get('/v2.1/flavors/detail' + (api.isAdmin() ? '?is_public=None' : ''))).flavors),
    api.cached('images', async () => (await api.get('/image/v2/images?limit=1000')).images),
  ]);
  return {
    flavor: new Map(flavors.map((f) => [f.id, f])),
    image: new Map(images.map((i) => [i.id, i])),
  };
}

export async function render(main, { state }) {
  if (state && !STATUS_FOR_VM_STATE[state]) {
    main.append(h('div.message.error', { role: 'alert' }, `Unknown status filter "${state}".`));
    state = undefined;
  }
  const admin = api.isAdmin();
  const view = {
    state, name: '', sortKey: 'created_at', sortDir: 'desc', limit: 20, markers: [], marker: null,
    rows: new Map(), selected: new Set(), servers: [], hasNext: false, timer: null, alive: true, seq: 0,
  };
  let names = { flavor: new Map(), image: new Map() };

  const statusSelect = h('select#status-filter', { 'aria-label': 'Status filter', onchange: () => {
    const v = statusSelect.value;
    performance.mark('stratus:filter-change');  // bench/dashboard measures from here
    navigate(v ? `/instances/filter/${v}` : '/instances');
  } }, h('option', { value: '' }, 'All statuses'),
  Object.keys(STATUS_FOR_VM_STATE).map((s) => h('option', { value: s, selected: s === state }, s.replace('_', ' '))));
  let nameTimer = null;
  const nameInput = h('input#name-filter', { type: 'search', placeholder: 'Filter by name', 'aria-label': 'Filter by name',
    oninput: () => {
      clearTimeout(nameTimer);
      nameTimer = setTimeout(() => { view.name = nameInput.value.trim(); firstPage(); }, 250);
    } });
  const pageSize = h('select#page-size', { 'aria-label': 'Rows per page', onchange: () => { view.limit = Number(pageSize.value); firstPage(); } },
    [20, 50, 100].map((n) => h('option', { value: n }, `${n} per page`)));
  const bulkBar = h('div.bulk', { 'aria-label': 'Actions on the selected instances' });
  const selectAll = h('input#select-all', { type: 'checkbox', 'aria-label': 'Select all on this page', onchange: () => {
    for (const s of view.servers) {
      if (selectAll.checked) view.selected.add(s.id); else view.selected.delete(s.id);
    }
    for (const row of view.rows.values()) row.box.checked = selectAll.checked;
    renderBulk();
  } });
  const headRow = h('tr', h('th.check', selectAll), COLUMNS.filter((c) => admin || !c[3]).map(([key, title, sortKey]) => {
    if (!sortKey) return h(`th.col-${key}`, { scope: 'col' }, title);
    const th = h(`th.col-${key}`, { scope: 'col', 'aria-sort': 'none' }, h('button.sort', { type: 'button', dataset: { sort: sortKey }, onclick: () => {
      if (view.sortKey === sortKey) view.sortDir = view.sortDir === 'asc' ? 'desc' : 'asc';
      else { view.sortKey = sortKey; view.sortDir = sortKey === 'created_at' ? 'desc' : 'asc'; }
      firstPage();
    } }, title));
    return th;
  }), h('th.col-actions', { scope: 'col' }, h('span.visually-hidden', 'Actions')));
  const tbody = h('tbody');
  const info = h('div#table-info', { 'aria-live': 'polite' });
  const prev = h('button#prev-page', { type: 'button', onclick: () => { view.marker = view.markers.pop() ?? null; load(); } }, '‹ Previous');
  const next = h('button#next-page', { type: 'button', onclick: () => {
    view.markers.push(view.marker);
    view.marker = view.servers.at(-1)?.id ?? null;
    load();
  } }, 'Next ›');
  const liveBadge = h('span#live', { hidden: true, title: 'Following instances with a task in progress' }, 'live');

  main.append(
    h('div.page-head', h('h1', 'Instances', liveBadge), h('a.button.primary#launch-link', { href: '/dashboard/launch' }, 'Launch instance')),
    h('div.toolbar', statusSelect, nameInput, pageSize),
    bulkBar,
    h('div.table-wrap', h('table#instances.data', h('thead', headRow), tbody)),
    h('div.pager', prev, info, next));

  function firstPage() {
    view.markers = [];
    view.marker = null;
    return load();
  }

  function query() {
    const q = new URLSearchParams();
    q.set('limit', String(view.limit));
    if (view.marker) q.set('marker', view.marker);
    if (view.state) q.set('status', STATUS_FOR_VM_STATE[view.state]);
    if (view.name) q.set('name', escapeRegex(view.name));
    q.set('sort_key', view.sortKey);
    q.set('sort_dir', view.sortDir);
    return q;
  }

  async function load({ quiet = false } = {}) {
    const seq = ++view.seq;
    if (!quiet) main.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api.get(`/v2.1/servers/detail?${query()}`);
    } catch (e) {
      if (seq !== view.seq || !view.alive) return;
      if (!quiet) notify(`Could not list the instances: ${e.message}`, 'error');
      main.removeAttribute('aria-busy');
      return;
    }
    if (seq !== view.seq || !view.alive) return;  // a newer load, or the page is gone
    view.servers = data.servers;
    view.hasNext = Boolean(data.servers_links?.some((l) => l.rel === 'next'));
    draw();
    performance.mark('stratus:rows-drawn');  // ... to here (and from navigation start)
    main.removeAttribute('aria-busy');
    main.dataset.loaded = String(Date.now());
    schedulePoll();
  }

  function schedulePoll() {
    clearTimeout(view.timer);
    const busy = view.servers.some(inFlight);
    liveBadge.hidden = !busy;
    if (busy && view.alive) view.timer = setTimeout(() => load({ quiet: true }), POLL_MS);
  }

  function cells(s) {
    const flavor = names.flavor.get(s.flavor?.id);
    const imageId = typeof s.image === 'object' ? s.image?.id : null;
    const image = imageId ? names.image.get(imageId) : null;
    const progress = s.progress !== undefined && inFlight(s) && s.progress ? ` ${s.progress}%` : '';
    const task = taskState(s);
    return {
      name: h('a', { href: `/dashboard/instances/${s.id}` }, s.name || s.id),
      image: image ? image.name : (imageId ? imageId.slice(0, 8) : '(volume)'),
      ips: addresses(s),
      flavor: flavor ? flavor.name : (s.flavor?.id ?? ''),
      key: s.key_name || '',
      status: h(`span.status.st-${(s.status || '').toLowerCase()}`, s.status),
      task: task ? h('span.task', task + progress) : '',
      power: POWER[s['OS-EXT-STS:power_state']] ?? String(s['OS-EXT-STS:power_state'] ?? ''),
      host: [s['OS-EXT-AZ:availability_zone'], s['OS-EXT-SRV-ATTR:host']].filter(Boolean).join(' / '),
      age: h('time', { datetime: s.created, title: s.created }, age(s.created)),
    };
  }

  // A row's "Actions…" button opens a dialog listing what Nova would accept
  // from the row's current state (a <select> would fire on every arrow key).
  function actionButton(row) {
    return h('button.row-actions', { type: 'button', 'aria-haspopup': 'dialog', onclick: async () => {
      const s = row.server;
      const chosen = await dialog(`Actions for ${s.name}`, (close) => h('div.menu',
        allowedActions(s).map((a) => h(`button.menu-action${a.includes('delete') ? '.danger' : ''}`, { type: 'button', dataset: { action: a }, onclick: () => close(a) }, LABELS[a])),
        h('div.buttons', h('button', { type: 'button', onclick: () => close() }, 'Cancel'))));
      if (chosen) await act(chosen, [s]);
    } }, 'Actions…');
  }

  function draw() {
    const cols = COLUMNS.filter((c) => admin || !c[3]);
    const seen = new Set();
    // Rows are kept and updated in place (same element per instance), so the
    // table does not jump and focus stays where it was.
    view.servers.forEach((s, i) => {
      seen.add(s.id);
      let row = view.rows.get(s.id);
      if (!row) {
        const box = h('input', { type: 'checkbox', 'aria-label': `Select ${s.name}`, onchange: () => {
          if (box.checked) view.selected.add(s.id); else view.selected.delete(s.id);
          renderBulk();
        } });
        row = { tr: h('tr', { dataset: { id: s.id } }), box, tds: {}, menu: null };
        row.tr.append(h('td.check', box));
        for (const [key] of cols) {
          row.tds[key] = h(`td.col-${key}`);
          row.tr.append(row.tds[key]);
        }
        row.actions = h('td.col-actions');
        row.menu = actionButton(row);
        row.actions.append(row.menu);
        row.tr.append(row.actions);
        view.rows.set(s.id, row);
      }
      row.box.checked = view.selected.has(s.id);
      const c = cells(s);
      for (const [key] of cols) {
        clear(row.tds[key], c[key]);
        row.tds[key].title = row.tds[key].textContent;  // the whole text of a cut cell
      }
      row.tr.dataset.status = s.status;
      row.tr.dataset.task = taskState(s) || '';
      row.server = s;
      const acts = allowedActions(s);
      row.tr.dataset.actions = acts.join(' ');
      row.menu.disabled = acts.length === 0;
      row.menu.setAttribute('aria-label', `Actions for ${s.name}`);
      if (tbody.children[i] !== row.tr) tbody.insertBefore(row.tr, tbody.children[i] || null);
    });
    for (const [id, row] of view.rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        view.rows.delete(id);
        view.selected.delete(id);
      }
    }
    if (view.servers.length === 0) {
      tbody.replaceChildren(h('tr.empty', h('td', { colspan: cols.length + 2 },
        view.state || view.name ? 'No instances match the filter.' : 'No instances yet. Launch one!')));
    } else {
      tbody.querySelector('tr.empty')?.remove();
    }
    for (const th of headRow.querySelectorAll('th')) {
      const b = th.querySelector('button.sort');
      if (b) th.setAttribute('aria-sort', b.dataset.sort === view.sortKey ? (view.sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
    }
    const page = view.markers.length + 1;
    info.textContent = `Page ${page} · ${view.servers.length} instance${view.servers.length === 1 ? '' : 's'}`;
    prev.disabled = view.markers.length === 0 && !view.marker;
    next.disabled = !view.hasNext;
    selectAll.checked = view.servers.length > 0 && view.servers.every((s) => view.selected.has(s.id));
    renderBulk();
  }

  function selectedServers() {
    return view.servers.filter((s) => view.selected.has(s.id));
  }

  function renderBulk() {
    const chosen = selectedServers();
    if (chosen.length === 0) {
      clear(bulkBar, h('span.hint', 'Select instances for actions on several at once.'));
      return;
    }
    clear(bulkBar, h('span', `${chosen.length} selected:`), BULK.filter((a) => chosen.some((s) => allows(a, s))).map((a) =>
      h(`button.bulk-action${a === 'delete' ? '.danger' : ''}`, { type: 'button', dataset: { action: a }, onclick: () => act(a, chosen) },
        LABELS[a].replace('…', '')),
    ), h('button.link', { type: 'button', onclick: () => { view.selected.clear(); draw(); } }, 'Clear selection'));
  }

  async function act(action, servers) {
    const done = await runAction(action, servers);
    if (done) {
      if (action === 'delete' || action === 'force_delete') for (const s of servers) view.selected.delete(s.id);
      await load({ quiet: true });
    }
  }

  try {
    names = await lookups();
  } catch (e) {
    if (e.status === 401) throw e;
    notify(`Could not load flavor and image names: ${e.message}`, 'warning');
  }
  await load();
  return () => {
    view.alive = false;
    clearTimeout(view.timer);
    clearTimeout(nameTimer);
  };
}
