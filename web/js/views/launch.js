// The launch wizard: Horizon's five steps (source, flavor, host, networks,
// details), each validated in place before Launch is enabled, then one
// POST /v2.1/servers. A custom size becomes a real flavor first (for
// administrators: see docs/dashboard.md, "Custom sizes"): an existing
// private "custom.<v>c.<ram>m.<disk>g" flavor of that size is reused, else one is
// created, and removed again if the launch then fails; the current project is
// given access to it.
import * as api from '../api.js';
import { h, clear, notify, field, fieldError, bytes } from '../ui.js';
import { navigate } from '../main.js';
import { metadataEditor } from './actions.js';

const STEPS = ['Source', 'Flavor', 'Host', 'Networks', 'Details'];
const unlimited = (n) => n === undefined || n === null || n < 0;

export function customFlavorName(vcpus, ramMb, diskGb) {
  return `custom.${vcpus}c.${ramMb}m.${diskGb}g`;
}

// Whole number from a form field, or null when it is not one.
function whole(text) {
  const t = String(text).trim();
  return /^[0-9]+$/.test(t) ? Number(t) : null;
}

function base64Utf8(text) {
  const bytesArr = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytesArr) bin += String.fromCharCode(b);
  return btoa(bin);
}

export async function render(main) {
  const admin = api.isAdmin();
  const [images, flavors, limits, networks, keypairs, groups, hypervisors, zones] = await Promise.all([
    api.get('/image/v2/images?limit=1000').then((d) => d.images.filter((i) => i.status === 'active')),
    api.get('/v2.1/flavors/detail').then((d) => d.flavors),
    api.get('/v2.1/limits').then((d) => d.limits.absolute),
    api.get('/network/v2.0/networks').then((d) => d.networks),
    api.get('/v2.1/os-keypairs').then((d) => d.keypairs.map((k) => k.keypair)),
    api.get('/v2.1/os-server-groups').then((d) => d.server_groups).catch(() => []),
    admin ? api.get('/v2.1/os-hypervisors/detail').then((d) => d.hypervisors) : Promise.resolve([]),
    admin ? api.get('/v2.1/os-availability-zone/detail').then((d) => d.availabilityZoneInfo).catch(() => []) : Promise.resolve([]),
  ]);
  const left = {
    instances: unlimited(limits.maxTotalInstances) ? Infinity : limits.maxTotalInstances - limits.totalInstancesUsed,
    cores: unlimited(limits.maxTotalCores) ? Infinity : limits.maxTotalCores - limits.totalCoresUsed,
    ram: unlimited(limits.maxTotalRAMSize) ? Infinity : limits.maxTotalRAMSize - limits.totalRAMUsed,
  };
  const hostZone = new Map();
  for (const z of zones) for (const host of Object.keys(z.hosts || {})) hostZone.set(host, z.zoneName);

  const st = { step: 0, image: null, flavor: null, custom: false, hostMode: 'any', zone: '', host: '', netMode: 'list', nets: [], count: 1 };
  const panels = STEPS.map((_, i) => h('section.step-panel', { dataset: { step: i }, hidden: i !== 0, 'aria-labelledby': `step-tab-${i}` }));
  const tabs = STEPS.map((name, i) => h('button.step-tab', { type: 'button', id: `step-tab-${i}`, dataset: { step: i }, onclick: () => go(i) },
    h('span.num', String(i + 1)), ` ${name}`));
  const error = h('div#launch-error', { role: 'alert' });
  const back = h('button#wizard-back', { type: 'button', onclick: () => go(st.step - 1) }, '‹ Back');
  const next = h('button#wizard-next', { type: 'button', onclick: () => { if (validate(st.step, true)) go(st.step + 1); } }, 'Next ›');
  const launch = h('button.primary#wizard-launch', { type: 'button', onclick: submit }, 'Launch');
  const summary = h('div#summary');
  main.append(h('h1', 'Launch instance'), h('div.wizard', h('nav.steps', { 'aria-label': 'Steps' }, tabs),
    h('div.step-body', panels, error, h('h2', 'Summary'), summary, h('div.buttons', back, next, launch))));

  // 1. Source
  const imageSearch = h('input#image-search', { type: 'search', placeholder: 'Search images', 'aria-label': 'Search images', oninput: drawImages });
  const imageRows = h('tbody');
  const imageMsg = h('div.field-error', { role: 'alert' });
  function drawImages() {
    const q = imageSearch.value.trim().toLowerCase();
    clear(imageRows, images.filter((i) => !q || (i.name || '').toLowerCase().includes(q)).map((i) => h('tr',
      h('td', h('input', { type: 'radio', name: 'image', value: i.id, id: `image-${i.id}`, checked: st.image === i.id, onchange: () => { st.image = i.id; refresh(); } })),
      h('td', h('label', { for: `image-${i.id}` }, i.name || i.id)), h('td', bytes(i.size)), h('td', i.disk_format || ''), h('td', i.visibility))));
  }
  panels[0].append(h('h2', 'Source'), h('p.hint', 'The image the instance boots from.'), imageSearch,
    h('table.data.compact#image-table', h('thead', h('tr', h('th', ''), h('th', 'Name'), h('th', 'Size'), h('th', 'Format'), h('th', 'Visibility'))), imageRows), imageMsg);
  drawImages();

  // 2. Flavor
  const quota = h('div#quota.quota');
  const flavorRows = h('tbody');
  const flavorMsg = h('div.field-error', { role: 'alert' });
  const pickCustom = () => { st.custom = true; st.flavor = null; customRadio.checked = true; refresh(); };
  const cVcpus = h('input#custom-vcpus', { inputmode: 'numeric', value: '1', disabled: !admin, oninput: pickCustom });
  const cRam = h('input#custom-ram', { inputmode: 'numeric', value: '1', disabled: !admin, oninput: pickCustom });
  const cDisk = h('input#custom-disk', { inputmode: 'numeric', value: '1', disabled: !admin, oninput: pickCustom });
  const customRadio = h('input#flavor-custom', { type: 'radio', name: 'flavor', value: 'custom', disabled: !admin, onchange: () => { st.custom = true; st.flavor = null; refresh(); } });
  function fits(vcpus, ramMb) {
    return st.count <= left.instances && st.count * vcpus <= left.cores && st.count * ramMb <= left.ram;
  }
  function drawFlavors() {
    const q = (n) => (n === Infinity ? 'unlimited' : n);
    clear(quota, h('strong', 'Quota left: '), `${q(left.instances)} instances, ${q(left.cores)} vCPUs, ${q(left.ram === Infinity ? Infinity : left.ram / 1024)} GB RAM`,
      ` (for ${st.count} instance${st.count === 1 ? '' : 's'})`);
    clear(flavorRows, flavors.map((f) => {
      const ok = fits(f.vcpus, f.ram);
      if (!ok && st.flavor === f.id) st.flavor = null;
      return h(`tr${ok ? '' : '.unavailable'}`,
        h('td', h('input', { type: 'radio', name: 'flavor', value: f.id, id: `flavor-${f.id}`, disabled: !ok, checked: st.flavor === f.id && !st.custom,
          onchange: () => { st.flavor = f.id; st.custom = false; refresh(); } })),
        h('td', h('label', { for: `flavor-${f.id}` }, f.name)), h('td', f.vcpus), h('td', `${f.ram / 1024} GB`), h('td', `${f.disk} GB`),
        h('td', ok ? '' : 'exceeds quota'));
    }));
  }
  panels[1].append(h('h2', 'Flavor'), quota,
    h('table.data.compact#flavor-table', h('thead', h('tr', h('th', ''), h('th', 'Name'), h('th', 'vCPUs'), h('th', 'RAM'), h('th', 'Root disk'), h('th', ''))), flavorRows),
    h('fieldset.custom', h('legend', h('label', customRadio, ' Custom size')),
      admin ? null : h('p.hint', 'Custom sizes create a flavor, which the compute API allows administrators only (policy os_compute_api:os-flavor-manage:create). Choose a flavor above, or ask an administrator.'),
      h('div.row', field('vCPUs', cVcpus), field('RAM (GB)', cRam), field('Disk (GB)', cDisk))), flavorMsg);

  // 3. Host
  const hostMsg = h('div.field-error', { role: 'alert' });
  const zoneSelect = h('select#zone-select', { 'aria-label': 'Availability zone', onchange: () => { st.zone = zoneSelect.value; refresh(); } },
    h('option', { value: '' }, 'Choose a zone'), [...new Set(zones.map((z) => z.zoneName))].filter((z) => z !== 'internal').map((z) => h('option', { value: z }, z)));
  const hostRows = h('tbody', hypervisors.map((hv) => {
    const host = hv.service?.host || hv.hypervisor_hostname;
    const value = `${hostZone.get(host) || 'nova'}:${host}`;
    return h('tr', h('td', h('input', { type: 'radio', name: 'host', value, id: `host-${host}`, onchange: () => { st.host = value; st.hostMode = 'host'; hostModeInputs.host.checked = true; refresh(); } })),
      h('td', h('label', { for: `host-${host}` }, host)), h('td', hv.state), h('td', hv.status),
      h('td', `${hv.vcpus - hv.vcpus_used} / ${hv.vcpus}`), h('td', `${Math.round((hv.memory_mb - hv.memory_mb_used) / 1024)} / ${Math.round(hv.memory_mb / 1024)} GB`),
      h('td', `${hv.local_gb - hv.local_gb_used} / ${hv.local_gb} GB`), h('td', hv.running_vms));
  }));
  const hostModeInputs = {};
  const hostMode = (mode, label, extra) => {
    hostModeInputs[mode] = h('input', { type: 'radio', name: 'host-mode', value: mode, id: `host-mode-${mode}`, checked: st.hostMode === mode,
      onchange: () => { st.hostMode = mode; refresh(); } });
    return h('div.choice', hostModeInputs[mode], h('label', { for: `host-mode-${mode}` }, label), extra);
  };
  if (admin) {
    panels[2].append(h('h2', 'Host'), h('p.hint', 'Where the scheduler may place the instances.'),
      hostMode('any', 'Any host'), hostMode('zone', 'An availability zone: ', zoneSelect), hostMode('host', 'This compute host:'),
      h('table.data.compact#host-table', h('thead', h('tr', h('th', ''), h('th', 'Host'), h('th', 'State'), h('th', 'Status'), h('th', 'Free vCPUs'), h('th', 'Free RAM'), h('th', 'Free disk'), h('th', 'Instances'))), hostRows), hostMsg);
  } else {
    panels[2].append(h('h2', 'Host'), h('p', 'The scheduler chooses the host (choosing one is for administrators).'));
  }

  // 4. Networks
  const netMsg = h('div.field-error', { role: 'alert' });
  const chosenList = h('ol#chosen-networks');
  const availList = h('ul#available-networks');
  const netModeInputs = ['list', 'auto', 'none'].map((mode) => h('div.choice',
    h('input', { type: 'radio', name: 'net-mode', value: mode, id: `net-mode-${mode}`, checked: st.netMode === mode, onchange: () => { st.netMode = mode; refresh(); } }),
    h('label', { for: `net-mode-${mode}` }, { list: 'These networks, in this order:', auto: 'Automatic (the project\'s network)', none: 'No network' }[mode])));
  function drawNets() {
    const byId = new Map(networks.map((n) => [n.id, n]));
    clear(chosenList, st.nets.length ? st.nets.map((id, i) => h('li', { dataset: { id } }, byId.get(id)?.name || id, ' ',
      h('button.up', { type: 'button', 'aria-label': `Move ${byId.get(id)?.name} up`, disabled: i === 0, onclick: () => { st.nets.splice(i - 1, 0, st.nets.splice(i, 1)[0]); refresh(); } }, '↑'),
      h('button.remove', { type: 'button', 'aria-label': `Remove ${byId.get(id)?.name}`, onclick: () => { st.nets.splice(i, 1); refresh(); } }, 'Remove'))) : h('li.none', 'none chosen'));
    clear(availList, networks.filter((n) => !st.nets.includes(n.id)).map((n) => h('li', n.name, ` (${(n.subnets || []).length} subnet${(n.subnets || []).length === 1 ? '' : 's'}${n.shared ? ', shared' : ''}) `,
      h('button.add-net', { type: 'button', dataset: { name: n.name }, onclick: () => { st.nets.push(n.id); st.netMode = 'list'; netModeInputs[0].querySelector('input').checked = true; refresh(); } }, 'Add'))));
  }
  panels[3].append(h('h2', 'Networks'), ...netModeInputs, h('div.nets', h('div', h('h3', 'Chosen (first is eth0)'), chosenList), h('div', h('h3', 'Available'), availList)), netMsg);

  // 5. Details
  const name = h('input#instance-name', { name: 'name', maxlength: 255, oninput: () => refresh() });
  const count = h('input#instance-count', { name: 'count', inputmode: 'numeric', value: '1', oninput: () => { const n = whole(count.value); if (n) st.count = n; refresh(); } });
  const keySelect = h('select#keypair', { name: 'key' }, h('option', { value: '' }, 'No key pair'), keypairs.map((k) => h('option', { value: k.name }, k.name)));
  const userData = h('textarea#user-data', { rows: 4, placeholder: '#!/bin/sh\n…', oninput: () => refresh() });
  const userFile = h('input#user-data-file', { type: 'file', 'aria-label': 'User data from a file', onchange: async () => {
    const f = userFile.files[0];
    if (f) { userData.value = await f.text(); refresh(); }
  } });
  const meta = metadataEditor();
  const configDrive = h('input#config-drive', { type: 'checkbox' });
  const groupSelect = h('select#server-group', {}, h('option', { value: '' }, 'None'), groups.map((g) => h('option', { value: g.id }, `${g.name} (${(g.policies || [g.policy]).join(', ')})`)));
  panels[4].append(h('h2', 'Details'), field('Instance name', name), field('Count', count, 'How many instances (min_count)'), field('Key pair', keySelect),
    field('User data', userData, h('span', 'A script for cloud-init, or from a file: ', userFile)), h('h3', 'Metadata'), meta.el,
    h('div.field', h('label', configDrive, ' Config drive')), field('Server group', groupSelect));

  function customSize() {
    return { vcpus: whole(cVcpus.value), ramGb: whole(cRam.value), diskGb: whole(cDisk.value) };
  }

  // Checks step i; `show` writes the messages into the form.
  function validate(i, show) {
    const say = (slot, text) => { if (show) slot.textContent = text; return !text; };
    const sayField = (input, text) => (show ? fieldError(input, text) : !text);
    switch (i) {
      case 0: return say(imageMsg, st.image ? '' : 'Choose an image.');
      case 1: {
        if (!st.custom) {
          for (const input of [cVcpus, cRam, cDisk]) sayField(input, '');
          return say(flavorMsg, st.flavor ? '' : 'Choose a flavor or a custom size.');
        }
        const c = customSize();
        let ok = sayField(cVcpus, c.vcpus === null ? 'vCPUs must be a whole number.' : c.vcpus < 1 ? 'At least 1 vCPU.' : st.count * c.vcpus > left.cores ? `Beyond the quota: ${left.cores} vCPUs left.` : '');
        ok = sayField(cRam, c.ramGb === null ? 'RAM must be a whole number of GB.' : c.ramGb < 1 ? 'At least 1 GB.' : st.count * c.ramGb * 1024 > left.ram ? `RAM beyond the quota: ${Math.floor(left.ram / 1024)} GB left.` : '') && ok;
        ok = sayField(cDisk, c.diskGb === null ? 'Disk must be a whole number of GB.' : '') && ok;
        return say(flavorMsg, '') && ok;
      }
      case 2:
        if (!admin || st.hostMode === 'any') return say(hostMsg, '');
        if (st.hostMode === 'zone') return say(hostMsg, st.zone ? '' : 'Choose an availability zone.');
        return say(hostMsg, st.host ? '' : 'Choose a compute host.');
      case 3: return say(netMsg, st.netMode !== 'list' || st.nets.length ? '' : 'Add at least one network, or choose automatic or none.');
      case 4: {
        const n = whole(count.value);
        let ok = sayField(name, name.value.trim() ? '' : 'Enter a name.');
        ok = sayField(count, n === null || n < 1 ? 'Count must be a whole number, 1 or more.' : n > left.instances ? `Beyond the quota: ${left.instances} instances left.` : '') && ok;
        return (show ? meta.read() !== null : true) && ok;
      }
      default: return true;
    }
  }

  function go(i) {
    if (i < 0 || i >= STEPS.length) return;
    st.step = i;
    refresh(false);
    panels[i].querySelector('input, select, textarea, button')?.focus();
  }

  // Redraws what changed and the step's messages (`show`: once the person
  // has typed or chosen something on this step).
  let drawnCount = null;
  let drawnNets = null;
  function refresh(show = true) {
    if (drawnCount !== st.count) { drawnCount = st.count; drawFlavors(); }
    const netsKey = `${st.netMode}|${st.nets.join(',')}`;
    if (drawnNets !== netsKey) { drawnNets = netsKey; drawNets(); }
    if (show) validate(st.step, true);
    panels.forEach((p, i) => { p.hidden = i !== st.step; });
    tabs.forEach((t, i) => {
      t.setAttribute('aria-current', i === st.step ? 'step' : 'false');
      t.classList.toggle('done', validate(i, false));
    });
    back.disabled = st.step === 0;
    next.hidden = st.step === STEPS.length - 1;
    const allValid = STEPS.every((_, i) => validate(i, false));
    launch.disabled = !allValid;
    const img = images.find((x) => x.id === st.image);
    const fl = flavors.find((x) => x.id === st.flavor);
    const c = customSize();
    clear(summary, h('dl.fields.summary',
      h('dt', 'Image'), h('dd', img ? img.name : '—'),
      h('dt', 'Flavor'), h('dd', st.custom ? `custom: ${c.vcpus ?? '?'} vCPU, ${c.ramGb ?? '?'} GB RAM, ${c.diskGb ?? '?'} GB disk` : fl ? fl.name : '—'),
      h('dt', 'Host'), h('dd', st.hostMode === 'any' ? 'any' : st.hostMode === 'zone' ? `zone ${st.zone || '?'}` : st.host || '?'),
      h('dt', 'Networks'), h('dd', st.netMode === 'list' ? st.nets.map((id) => networks.find((n) => n.id === id)?.name).join(', ') || '—' : st.netMode),
      h('dt', 'Name × count'), h('dd', `${name.value.trim() || '—'} × ${count.value}`)));
  }

  async function resolveFlavor() {
    if (!st.custom) return { id: st.flavor, created: false };
    const c = customSize();
    const ram = c.ramGb * 1024;
    const all = (await api.get('/v2.1/flavors/detail?is_public=None')).flavors;
    const same = all.find((f) => f.vcpus === c.vcpus && f.ram === ram && f.disk === c.diskGb && f.name === customFlavorName(c.vcpus, ram, c.diskGb));
    if (same) {
      await grantProjectAccess(same.id);
      return { id: same.id, created: false };
    }
    const made = await api.post('/v2.1/flavors', { flavor: { name: customFlavorName(c.vcpus, ram, c.diskGb), vcpus: c.vcpus, ram, disk: c.diskGb, 'os-flavor-access:is_public': false } });
    const flavor = { id: made.flavor.id, created: true };
    try {
      await grantProjectAccess(flavor.id);
    } catch (e) {
      await api.del(`/v2.1/flavors/${flavor.id}`).catch(() => {});
      throw e;
    }
    return flavor;
  }

  // The project the instance is launched in gets access to the private
  // flavor (os-flavor-access), so its members see and can rebuild with
  // what their instance runs on, not only administrators.
  async function grantProjectAccess(flavorId) {
    const project = api.getSession()?.project?.id;
    if (!project) return;
    const access = (await api.get(`/v2.1/flavors/${flavorId}/os-flavor-access`)).flavor_access;
    if (access.some((a) => a.tenant_id === project)) return;
    await api.post(`/v2.1/flavors/${flavorId}/action`, { addTenantAccess: { tenant: project } });
  }

  async function submit() {
    const bad = STEPS.findIndex((_, i) => !validate(i, true));
    if (bad >= 0) { go(bad); validate(bad, true); return; }
    const metadata = meta.read();
    if (metadata === null) { go(4); return; }
    launch.disabled = true;
    error.replaceChildren(h('div.message.info', 'Launching…'));
    let flavor = null;
    try {
      flavor = await resolveFlavor();
      const server = { name: name.value.trim(), imageRef: st.image, flavorRef: flavor.id, min_count: whole(count.value), max_count: whole(count.value) };
      if (st.netMode === 'list') server.networks = st.nets.map((uuid) => ({ uuid }));
      else server.networks = st.netMode;
      if (admin && st.hostMode === 'zone') server.availability_zone = st.zone;
      if (admin && st.hostMode === 'host') server.availability_zone = st.host;
      if (keySelect.value) server.key_name = keySelect.value;
      if (userData.value) server.user_data = base64Utf8(userData.value);
      if (Object.keys(metadata).length) server.metadata = metadata;
      if (configDrive.checked) server.config_drive = true;
      const body = { server };
      if (groupSelect.value) body['os:scheduler_hints'] = { group: groupSelect.value };
      await api.post('/v2.1/servers', body);
      api.invalidate('flavors');
      notify(`Launched ${server.min_count} instance${server.min_count === 1 ? '' : 's'} named ${server.name}.`, 'success');
      navigate('/instances');
    } catch (e) {
      if (flavor?.created) await api.del(`/v2.1/flavors/${flavor.id}`).catch(() => {});
      error.replaceChildren(h('div.message.error', `The launch failed: ${e.message}`));
      launch.disabled = false;
    }
  }

  refresh(false);
}
