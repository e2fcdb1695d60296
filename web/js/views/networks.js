// Networks: list with their subnets, create a network with one subnet (the
// network is removed again if its subnet is refused: nothing half-made).
import * as api from '../api.js';
import { h, clear, notify, field, fieldError } from '../ui.js';

// "10.1.0.0/24": a valid IPv4 network; returns an error text or ''.
export function cidrError(text) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!m) return 'Enter an IPv4 network such as 10.1.0.0/24.';
  const parts = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (parts.some((p) => p > 255) || prefix > 32) return 'Each number must be 0-255 and the prefix 0-32.';
  if (prefix > 30) return 'The prefix leaves no room for addresses (at most /30).';
  return '';
}

export async function render(main) {
  const rows = h('tbody');
  async function load() {
    const [nets, subnets] = await Promise.all([api.get('/network/v2.0/networks'), api.get('/network/v2.0/subnets')]);
    const byId = new Map(subnets.subnets.map((s) => [s.id, s]));
    clear(rows, nets.networks.map((n) => h('tr', { dataset: { name: n.name } }, h('td', n.name), h('td', (n.subnets || []).map((id) => byId.get(id)?.cidr || id).join(', ')),
      h('td', n.shared ? 'yes' : 'no'), h('td', n.status || ''), h('td', h('code', n.id)))));
  }
  const name = h('input#network-name', { maxlength: 255 });
  const cidr = h('input#subnet-cidr', { placeholder: '10.1.0.0/24' });
  const form = h('form.inline-form#network-create', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    let ok = fieldError(name, name.value.trim() ? '' : 'Enter a name.');
    ok = fieldError(cidr, cidrError(cidr.value)) && ok;
    if (!ok) return;
    let net = null;
    try {
      net = (await api.post('/network/v2.0/networks', { network: { name: name.value.trim() } })).network;
      await api.post('/network/v2.0/subnets', { subnet: { network_id: net.id, cidr: cidr.value.trim(), ip_version: 4, name: `${net.name}-subnet` } });
      notify(`Created network ${net.name} with subnet ${cidr.value.trim()}.`, 'success');
      form.reset();
      await load();
    } catch (err) {
      if (net) await api.del(`/network/v2.0/networks/${net.id}`).catch(() => {});
      fieldError(cidr, err.message);
    }
  } }, h('h2', 'Create a network'), h('div.row', field('Name', name), field('Subnet (CIDR)', cidr)), h('div.buttons', h('button.primary', { type: 'submit' }, 'Create')));
  main.append(h('h1', 'Networks'), h('div.table-wrap', h('table.data#networks-table', h('thead', h('tr', ['Name', 'Subnets', 'Shared', 'Status', 'ID'].map((t) => h('th', t)))), rows)), form);
  await load();
}
