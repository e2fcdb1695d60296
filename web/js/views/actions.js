// Server actions as the index and the detail page run them: the dialogs
// they need (confirmation, rebuild image, name, metadata, console log) and
// the API calls, one per server, with Nova's refusals (409) shown as its
// own message. Returns true when something was sent.
import * as api from '../api.js';
import { h, dialog, confirmDialog, notify, field, fieldError } from '../ui.js';
import { allows, LABELS } from '../state_rules.js';

const SIMPLE = {
  start: { 'os-start': null }, stop: { 'os-stop': null }, pause: { pause: null }, unpause: { unpause: null },
  suspend: { suspend: null }, resume: { resume: null }, restore: { restore: null }, force_delete: { forceDelete: null },
  reboot_soft: { reboot: { type: 'SOFT' } }, reboot_hard: { reboot: { type: 'HARD' } },
};

const action = (id, body) => api.post(`/v2.1/servers/${id}/action`, body);

// Sends `send(server)` for each server; reports successes and each failure
// with the API's message. Servers the state rules rule out are skipped (and said so).
async function forEach(name, servers, send) {
  const able = servers.filter((s) => allows(name, s));
  const skipped = servers.length - able.length;
  const results = await Promise.allSettled(able.map((s) => send(s)));
  let ok = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') ok += 1;
    else notify(`${LABELS[name].replace('…', '')} ${able[i].name}: ${r.reason.message}`, 'error');
  });
  const what = LABELS[name].replace('…', '').toLowerCase();
  if (ok) notify(`Requested ${what} of ${ok} instance${ok === 1 ? '' : 's'}.`, 'success');
  if (skipped) notify(`${skipped} selected instance${skipped === 1 ? ' is' : 's are'} not in a state that allows ${what}; left alone.`, 'warning');
  return ok > 0;
}

export async function runAction(name, servers) {
  if (SIMPLE[name] && name !== 'force_delete') return forEach(name, servers, (s) => action(s.id, SIMPLE[name]));
  switch (name) {
    case 'delete': {
      const list = servers.map((s) => s.name).join(', ');
      const ok = await confirmDialog(servers.length > 1 ? `Delete ${servers.length} instances` : 'Delete instance',
        `Delete ${list}? This cannot be undone (unless the cloud keeps deleted instances for a while).`, 'Delete');
      return ok ? forEach(name, servers, (s) => api.del(`/v2.1/servers/${s.id}`)) : false;
    }
    case 'force_delete': {
      const ok = await confirmDialog('Delete now', `Delete ${servers.map((s) => s.name).join(', ')} for good, now?`, 'Delete now');
      return ok ? forEach(name, servers, (s) => action(s.id, SIMPLE.force_delete)) : false;
    }
    case 'rebuild': return rebuild(servers[0]);
    case 'rename': return rename(servers[0]);
    case 'metadata': return metadata(servers[0]);
    case 'console': await consoleLog(servers[0]); return false;
    default: return false;
  }
}

async function rebuild(server) {
  const images = (await api.get('/image/v2/images?limit=1000')).images.filter((i) => i.status === 'active');
  const current = typeof server.image === 'object' ? server.image?.id : '';
  const select = h('select', { name: 'image' }, images.map((i) => h('option', { value: i.id, selected: i.id === current }, i.name || i.id)));
  const chosen = await dialog(`Rebuild ${server.name}`, (close) => h('form', { onsubmit: (e) => { e.preventDefault(); close(select.value); } },
    h('p', 'The instance is rebuilt from the chosen image; its disk is replaced.'),
    field('Image', select),
    h('div.buttons', h('button', { type: 'button', onclick: () => close() }, 'Cancel'), h('button.primary.danger', { type: 'submit' }, 'Rebuild'))));
  if (!chosen) return false;
  return forEach('rebuild', [server], (s) => action(s.id, { rebuild: { imageRef: chosen } }));
}

async function rename(server) {
  const input = h('input', { name: 'name', value: server.name, autofocus: true, maxlength: 255 });
  const name = await dialog(`Edit ${server.name}`, (close) => h('form', { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const v = input.value.trim();
    if (!fieldError(input, v ? '' : 'The name cannot be empty.')) return;
    close(v);
  } }, field('Name', input), h('div.buttons', h('button', { type: 'button', onclick: () => close() }, 'Cancel'), h('button.primary', { type: 'submit' }, 'Save'))));
  if (!name) return false;
  return forEach('rename', [server], (s) => api.put(`/v2.1/servers/${s.id}`, { server: { name } }));
}

// Key/value rows that read back into an object (or an error naming the row).
export function metadataEditor(initial = {}) {
  const rows = h('div.kv-rows');
  const addRow = (k = '', v = '') => {
    const key = h('input.kv-key', { value: k, 'aria-label': 'Key', placeholder: 'key', maxlength: 255 });
    const value = h('input.kv-value', { value: v, 'aria-label': 'Value', placeholder: 'value', maxlength: 255 });
    const row = h('div.kv', key, value, h('button', { type: 'button', 'aria-label': 'Remove', onclick: () => row.remove() }, '−'));
    rows.append(row);
  };
  for (const [k, v] of Object.entries(initial)) addRow(k, v);
  const error = h('div.field-error', { role: 'alert' });
  const el = h('div.kv-editor', rows, h('button.add-kv', { type: 'button', onclick: () => addRow() }, 'Add item'), error);
  return {
    el,
    read() {
      const out = {};
      for (const row of rows.children) {
        const k = row.querySelector('.kv-key').value.trim();
        const v = row.querySelector('.kv-value').value;
        if (!k && !v) continue;
        if (!/^[a-zA-Z0-9-_:. ]{1,255}$/.test(k)) {
          error.textContent = `Key "${k}" must be 1 to 255 letters, digits, spaces or - _ : .`;
          return null;
        }
        if (k in out) {
          error.textContent = `Key "${k}" is given twice.`;
          return null;
        }
        out[k] = v;
      }
      error.textContent = '';
      return out;
    },
  };
}

async function metadata(server) {
  const editor = metadataEditor(server.metadata || {});
  const meta = await dialog(`Metadata of ${server.name}`, (close) => h('form', { novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    const m = editor.read();
    if (m) close(m);
  } }, editor.el, h('div.buttons', h('button', { type: 'button', onclick: () => close() }, 'Cancel'), h('button.primary', { type: 'submit' }, 'Save'))), { wide: true });
  if (!meta) return false;
  return forEach('metadata', [server], (s) => api.put(`/v2.1/servers/${s.id}/metadata`, { metadata: meta }));
}

// The last N lines of the console, refreshable, in a dialog.
export function consolePanel(server) {
  const lines = h('input.console-lines', { type: 'number', min: 1, max: 10000, value: 50, 'aria-label': 'Lines' });
  const out = h('pre.console', { tabindex: 0, 'aria-label': 'Console log' }, 'Loading…');
  const refresh = async () => {
    const n = Number(lines.value);
    if (!Number.isInteger(n) || n < 1) {
      out.textContent = 'Enter a whole number of lines (1 or more).';
      return;
    }
    try {
      const d = await action(server.id, { 'os-getConsoleOutput': { length: n } });
      out.textContent = d.output || '(the console is empty)';
    } catch (e) {
      out.textContent = `Could not read the console: ${e.message}`;
    }
  };
  refresh();
  return h('div.console-panel', h('div.toolbar', h('label', 'Last ', lines, ' lines'),
    h('button.console-refresh', { type: 'button', onclick: refresh }, 'Refresh')), out);
}

async function consoleLog(server) {
  await dialog(`Console log of ${server.name}`, (close) => h('div', consolePanel(server),
    h('div.buttons', h('button.primary', { type: 'button', onclick: () => close() }, 'Close'))), { wide: true });
}
