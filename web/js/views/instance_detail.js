// An instance's page: every field of GET /v2.1/servers/{id}, its actions
// (os-instance-actions, with their events where policy shows them), its fault
// when in ERROR, and its console log. Follows a task in progress live.
import * as api from '../api.js';
import { h, clear, notify, addresses } from '../ui.js';
import { navigate } from '../main.js';
import { allowedActions, inFlight, LABELS } from '../state_rules.js';
import { runAction, consolePanel } from './actions.js';
import { lookups } from './instances.js';

function value(v) {
  if (v === null || v === undefined || v === '') return h('span.none', '—');
  if (typeof v === 'object') return h('pre.json', JSON.stringify(v, null, 1));
  return String(v);
}

export async function render(main, { id }) {
  let alive = true;
  let timer = null;
  const head = h('div.page-head');
  const fault = h('div#fault');
  const overview = h('dl#overview.fields');
  const actionsBox = h('div#action-log');
  const consoleBox = h('section#console', h('h2', 'Console log'));
  main.append(h('p', h('a', { href: '/dashboard/instances' }, '‹ Instances')), head, fault,
    h('div.detail-grid', h('section', h('h2', 'Overview'), overview), h('section', h('h2', 'Action log'), actionsBox)), consoleBox);
  let names = { flavor: new Map(), image: new Map() };
  try { names = await lookups(); } catch (e) { if (e.status === 401) throw e; }
  let consoleShown = false;

  async function load() {
    let server;
    try {
      server = (await api.get(`/v2.1/servers/${id}`)).server;
    } catch (e) {
      if (!alive) return;
      if (e.status === 404) {
        clear(head, h('h1', 'Instance not found'));
        clear(overview, h('p', `No instance ${id} (it may have been deleted).`));
        return;
      }
      throw e;
    }
    if (!alive) return;
    const acts = allowedActions(server);
    clear(head, h('h1', server.name, ' ', h(`span.status.st-${server.status.toLowerCase()}`, server.status),
      server['OS-EXT-STS:task_state'] ? h('span.task', ` ${server['OS-EXT-STS:task_state']}${server.progress ? ` ${server.progress}%` : ''}`) : null),
    h('div.actions', acts.filter((a) => a !== 'console').map((a) => h(`button.detail-action${a.includes('delete') ? '.danger' : ''}`, {
      type: 'button', dataset: { action: a }, onclick: async () => {
        const done = await runAction(a, [server]);
        if (done && a === 'delete') navigate('/instances');
        else if (done) load();
      } }, LABELS[a]))));
    clear(fault, server.fault ? h('div.message.error', { role: 'alert' }, h('strong', `Fault ${server.fault.code}: `), server.fault.message,
      server.fault.details ? h('pre', server.fault.details) : null) : null);
    const flavor = names.flavor.get(server.flavor?.id);
    const image = names.image.get(server.image?.id);
    const rows = [['IP addresses', addresses(server)], ['Flavor (name)', flavor ? `${flavor.name} (${flavor.vcpus} vCPU, ${flavor.ram} MB RAM, ${flavor.disk} GB disk)` : null],
      ['Image (name)', image ? image.name : null]];
    for (const k of Object.keys(server).sort()) {
      if (k === 'links') continue;
      rows.push([k, server[k]]);
    }
    clear(overview, rows.map(([k, v]) => [h('dt', k), h('dd', { dataset: { field: k } }, value(v))]));
    if (!consoleShown && acts.includes('console')) {
      consoleShown = true;
      consoleBox.append(consolePanel(server));
    }
    await loadActions();
    clearTimeout(timer);
    if (alive && inFlight(server)) timer = setTimeout(() => load().catch(() => {}), 2000);
  }

  async function loadActions() {
    let list;
    try {
      list = (await api.get(`/v2.1/servers/${id}/os-instance-actions`)).instanceActions;
    } catch (e) {
      clear(actionsBox, h('p', `Could not read the action log: ${e.message}`));
      return;
    }
    const recent = list.slice(0, 20);
    const details = await Promise.all(recent.map((a) => api.get(`/v2.1/servers/${id}/os-instance-actions/${a.request_id}`)
      .then((d) => d.instanceAction).catch(() => a)));
    if (!alive) return;
    const anyEvents = details.some((d) => Array.isArray(d.events));
    clear(actionsBox, h('table.data.compact#actions-table', h('thead', h('tr', h('th', 'Action'), h('th', 'Started'), h('th', 'Message'), h('th', 'Events'))),
      h('tbody', details.map((a) => h('tr', h('td', a.action), h('td', h('time', a.start_time)), h('td', a.message || ''),
        h('td', Array.isArray(a.events) ? h('ul.events', a.events.map((e) => h('li', `${e.event}: `,
          h(`span.result.${(e.result || 'running').toLowerCase()}`, e.result || 'running'), e.traceback ? h('pre', e.traceback) : null))) : '—'))))),
    anyEvents || details.length === 0 ? null : h('p.hint', 'Events are shown to administrators (Nova\'s default policy).'));
  }

  await load();
  return () => { alive = false; clearTimeout(timer); };
}
