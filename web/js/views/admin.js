// Administrators' pages: hypervisors (use per host) and compute services
// (enable / disable scheduling onto a host).
import * as api from '../api.js';
import { h, clear, notify } from '../ui.js';

const meter = (used, total, unit) => h('div.meter', { title: `${used} of ${total} ${unit}` },
  h('progress', { max: total || 1, value: used }), ` ${used} / ${total} ${unit}`);

export async function renderHypervisors(main) {
  const hv = (await api.get('/v2.1/os-hypervisors/detail')).hypervisors;
  main.append(h('h1', 'Hypervisors'), h('div.table-wrap', h('table.data#hypervisors-table',
    h('thead', h('tr', ['Host', 'Type', 'State', 'Status', 'vCPUs', 'RAM', 'Disk', 'Instances'].map((t) => h('th', t)))),
    h('tbody', hv.map((x) => h('tr', h('td', x.hypervisor_hostname), h('td', x.hypervisor_type), h('td', x.state), h('td', x.status),
      h('td', meter(x.vcpus_used, x.vcpus, '')), h('td', meter(Math.round(x.memory_mb_used / 1024), Math.round(x.memory_mb / 1024), 'GB')),
      h('td', meter(x.local_gb_used, x.local_gb, 'GB')), h('td', x.running_vms)))))));
}

export async function renderServices(main) {
  const rows = h('tbody');
  async function load() {
    const services = (await api.get('/v2.1/os-services')).services;
    clear(rows, services.map((s) => h('tr', { dataset: { host: s.host, binary: s.binary } }, h('td', s.binary), h('td', s.host), h('td', s.zone), h('td', s.status), h('td', s.state),
      h('td', s.disabled_reason || ''), h('td', (s.binary === 'stratus-compute' || s.binary === 'nova-compute') ? h('button.toggle-service', { type: 'button', onclick: async () => {
        try {
          await api.put(`/v2.1/os-services/${s.status === 'enabled' ? 'disable' : 'enable'}`, { host: s.host, binary: s.binary });
          notify(`${s.status === 'enabled' ? 'Disabled' : 'Enabled'} ${s.binary} on ${s.host}.`, 'success');
          await load();
        } catch (err) { notify(err.message, 'error'); }
      } }, s.status === 'enabled' ? 'Disable' : 'Enable') : ''))));
  }
  main.append(h('h1', 'Compute services'), h('div.table-wrap', h('table.data#services-table',
    h('thead', h('tr', ['Binary', 'Host', 'Zone', 'Status', 'State', 'Reason', ''].map((t) => h('th', t)))), rows)));
  await load();
}
