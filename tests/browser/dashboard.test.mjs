// The dashboard in a real browser (playwright-core driving Debian's
// chromium) against a real `stratus aio`: every user-visible feature, each
// checked against the API afterwards. Run by ctest (label browser):
//   node --test dashboard.test.mjs   with STRATUS_BINARY and SCREENSHOT_DIR set.
import { test as nodeTest, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startAio, waitFor } from './lib/aio.mjs';

const STRATUS = process.env.STRATUS_BINARY;
const SHOTS = process.env.SCREENSHOT_DIR || join(process.cwd(), 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(SHOTS, { recursive: true });

// The steps build on each other (one cloud, one browser session): after a
// failure the rest are skipped rather than failing one by one on timeouts.
let failedStep = null;
function test(name, fn) {
  nodeTest(name, async (t) => {
    if (failedStep) return t.skip(`after the failure of "${failedStep}"`);
    try {
      await fn(t);
    } catch (e) {
      failedStep = name;
      await page?.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true }).catch(() => {});
      throw e;
    }
  });
}

let aio;
let browser;
let page;
const apiCalls = [];  // [method, path] of every API request the page made

const url = (p) => `${aio.root}/dashboard${p}`;
// Screenshots for docs/dashboard.md, without the passing notifications.
const shot = async (name) => {
  await page.evaluate(() => document.getElementById('messages')?.replaceChildren());
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
};
const servers = async (q = '') => (await aio.api.get(`/v2.1/servers/detail${q}`)).servers;
const server = async (id) => (await aio.api.call('GET', `/v2.1/servers/${id}`));
const stateOf = async (id) => {
  const r = await server(id);
  if (r.status === 404) return 'gone';
  return `${r.body.server['OS-EXT-STS:vm_state']}/${r.body.server['OS-EXT-STS:task_state'] ?? '-'}`;
};
const untilState = (id, want, timeout = 20000) => waitFor(async () => (await stateOf(id)) === want, { timeout, what: `${id} to be ${want}` });
const row = (id) => page.locator(`#instances tr[data-id="${id}"]`);
const callsSince = (n, pred) => apiCalls.slice(n).filter(pred);

before(async () => {
  assert.ok(STRATUS, 'set STRATUS_BINARY to the stratus binary');
  aio = await startAio(STRATUS, { fakeHosts: 2, set: ['compute.reclaim_instance_interval=3600'] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!u.pathname.startsWith('/dashboard')) apiCalls.push([r.method(), u.pathname + u.search]);
  });
  page.on('pageerror', (e) => console.error('page error:', e));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of (401|404|409)/.test(m.text())) console.error('page console:', m.text()); });
});

after(async () => {
  await browser?.close();
  await aio?.stop();
});

async function login(user = 'admin', password = aio.password, project = 'admin') {
  await page.goto(url('/login'));
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.fill('input[name=project]', project);
  await page.click('form.login button[type=submit]');
  await page.waitForURL(/\/dashboard\/instances$/);
  await page.waitForSelector('#instances tbody tr');
}

test('the files: aio prints the URL; CSP, MIME types, deep links, no traversal', async () => {
  assert.match(aio.output(), new RegExp(`dashboard ${aio.root}/dashboard/ `));
  const index = await fetch(url('/instances/filter/active'));
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(index.headers.get('content-security-policy'), /script-src 'self'/);
  const js = await fetch(url('/js/main.js'));
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.equal((await fetch(url('/js/nope.js'))).status, 404);
  assert.equal((await fetch(`${aio.root}/dashboard/%2e%2e/%2e%2e/etc/passwd`)).status, 404);
});

test('log in: empty fields and a wrong password get messages; the right one opens the index', async () => {
  await page.goto(url('/'));
  await page.waitForURL(/\/dashboard\/login$/);
  const n = apiCalls.length;
  await page.click('form.login button[type=submit]');
  assert.match(await page.textContent('form.login'), /Enter your user name/);
  assert.equal(callsSince(n, ([, p]) => p.startsWith('/identity')).length, 0, 'no API call for an empty form');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'wrong');
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#login-status .message.error');
  assert.match(await page.textContent('#login-status'), /Invalid user name, password or project/);
  await login();
  assert.equal(await page.evaluate(() => location.search + location.hash), '', 'no token in the URL');
  assert.ok(!(await page.evaluate(() => document.cookie)).includes('token'));
});

test('networks: a bad CIDR is refused in the form; a network with a subnet is created', async () => {
  await page.click('nav a[href="/dashboard/networks"]');
  await page.waitForSelector('#networks-table tbody tr');
  const n = apiCalls.length;
  await page.fill('#network-name', 'backend');
  await page.fill('#subnet-cidr', '10.2.0.300/24');
  await page.click('#network-create button[type=submit]');
  assert.match(await page.textContent('#network-create'), /0-255/);
  assert.equal(callsSince(n, ([m]) => m === 'POST').length, 0);
  await page.fill('#subnet-cidr', '10.2.0.0/24');
  await page.click('#network-create button[type=submit]');
  await page.waitForSelector('#networks-table tr[data-name="backend"]');
  const nets = (await aio.api.get('/network/v2.0/networks')).networks;
  const backend = nets.find((x) => x.name === 'backend');
  assert.ok(backend && backend.subnets.length === 1);
});

test('key pairs: create offers the private key once, import, delete', async () => {
  await page.click('nav a[href="/dashboard/keypairs"]');
  await page.fill('#keypair-name', 'bad/name');
  await page.click('#keypair-create button[type=submit]');
  assert.match(await page.textContent('#keypair-create'), /A name of letters/);
  await page.fill('#keypair-name', 'mykey');
  await page.click('#keypair-create button[type=submit]');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-key')]);
  assert.equal(download.suggestedFilename(), 'mykey.pem');
  await page.click('dialog button:has-text("Done")');
  const pub = (await aio.api.call('POST', '/v2.1/os-keypairs', { keypair: { name: 'tmp' } })).body.keypair.public_key;
  await aio.api.call('DELETE', '/v2.1/os-keypairs/tmp');
  await page.fill('#import-name', 'imported');
  await page.fill('#import-key', pub);
  await page.click('#keypair-import button[type=submit]');
  await page.waitForSelector('#keypairs-table tr[data-name="imported"]');
  await page.click('#keypairs-table tr[data-name="imported"] button');
  await page.click('dialog button.primary');
  await page.waitForSelector('#keypairs-table tr[data-name="imported"]', { state: 'detached' });
  const names = (await aio.api.get('/v2.1/os-keypairs')).keypairs.map((k) => k.keypair.name);
  assert.deepEqual(names.sort(), ['mykey']);
});

let launched = [];
let host;

test('launch wizard: 3 instances, custom flavor, a chosen host, two networks; they go ACTIVE live', async () => {
  await page.click('nav a[href="/dashboard/launch"]');
  await page.waitForSelector('#image-table tbody tr');
  assert.ok(await page.isDisabled('#wizard-launch'), 'Launch is disabled until every step is valid');
  await shot('wizard-1-source');
  await page.click('#wizard-next');
  assert.match(await page.textContent('.step-panel[data-step="0"]'), /Choose an image/);
  await page.locator('#image-table input[type=radio]').first().check();
  await page.click('#wizard-next');

  // Flavor: bad custom sizes get messages in the form.
  await page.fill('#custom-vcpus', 'two');
  assert.match(await page.textContent('.step-panel[data-step="1"]'), /vCPUs must be a whole number/);
  await page.fill('#custom-vcpus', '2');
  await page.fill('#custom-ram', '100000');
  assert.match(await page.textContent('.step-panel[data-step="1"]'), /RAM beyond the quota/);
  await page.fill('#custom-ram', '1');
  await page.fill('#custom-disk', '1');
  assert.equal((await page.textContent('.step-panel[data-step="1"] .field-error >> nth=0')).trim(), '');
  await shot('wizard-2-flavor');
  await page.click('#wizard-next');

  // Host: one compute host.
  const hvs = (await aio.api.get('/v2.1/os-hypervisors/detail')).hypervisors;
  host = hvs[1].service.host;
  await page.check(`#host-${host}`);
  await shot('wizard-3-host');
  await page.click('#wizard-next');

  // Networks: two, in order.
  await page.click('#wizard-next');
  assert.match(await page.textContent('.step-panel[data-step="3"]'), /Add at least one network/);
  await page.click('#available-networks button[data-name="backend"]');
  await page.locator('#available-networks button.add-net').first().click();
  await shot('wizard-4-networks');
  await page.click('#wizard-next');

  // Details: an empty name is refused, without an API call.
  const n = apiCalls.length;
  await page.fill('#instance-count', '3');
  await page.fill('#instance-name', ' ');
  assert.match(await page.textContent('.step-panel[data-step="4"]'), /Enter a name/);
  assert.ok(await page.isDisabled('#wizard-launch'));
  // With 3 instances, flavors beyond the quota left are disabled (3 × 8 vCPUs > 20).
  await page.click('#step-tab-1');
  assert.ok(await page.isDisabled('#flavor-table tr:has-text("m1.xlarge") input'));
  assert.ok(!(await page.isDisabled('#flavor-table tr:has-text("m1.tiny") input')));
  assert.match(await page.textContent('#quota'), /for 3 instances/);
  await page.click('#step-tab-4');
  await page.fill('#instance-name', 'web');
  await page.selectOption('#keypair', 'mykey');
  await page.fill('#user-data', '#!/bin/sh\necho hello');
  await page.click('.kv-editor button.add-kv');
  await page.fill('.kv-key', 'stratus:fake_fault:spawn');
  await page.fill('.kv-value', 'delay:4000');
  await shot('wizard-5-details');
  assert.equal(callsSince(n, ([m]) => m === 'POST').length, 0);
  await page.evaluate(() => { window.__samePage = true; });
  await page.click('#wizard-launch');
  await page.waitForURL(/\/dashboard\/instances$/);

  // The three appear at once, building, then turn ACTIVE without a reload.
  await page.waitForFunction(() => document.querySelectorAll('#instances tr[data-status="BUILD"]').length === 3);
  assert.ok(await page.isVisible('#live'));
  const box = () => page.evaluate(() => { const r = document.querySelector('#instances').getBoundingClientRect(); return [r.top, r.height, r.width]; });
  const building = await box();
  await page.waitForFunction(() => document.querySelectorAll('#instances tr[data-status="ACTIVE"]').length === 3, null, { timeout: 20000 });
  assert.deepEqual(await box(), building, 'the table keeps its geometry as the rows change');
  assert.equal(await page.evaluate(() => window.__samePage), true, 'updated in place, no reload');
  await page.waitForSelector('#live', { state: 'hidden' });
  await shot('index');

  const mine = (await servers()).filter((s) => s.name.startsWith('web'));
  assert.equal(mine.length, 3);
  // Private flavors are listed for admins with is_public=None only (Nova).
  const flavors = (await aio.api.get('/v2.1/flavors/detail?is_public=None')).flavors;
  const custom = flavors.filter((f) => f.name === 'custom.2c.1024m.1g');
  assert.equal(custom.length, 1);
  assert.equal(custom[0]['os-flavor-access:is_public'], false);
  // The launching project was given access to it.
  const access = (await aio.api.get(`/v2.1/flavors/${custom[0].id}/os-flavor-access`)).flavor_access;
  assert.deepEqual(access.map((a) => a.tenant_id), [mine[0].tenant_id]);
  for (const s of mine) {
    assert.equal(s.flavor.id, custom[0].id);
    assert.equal(s['OS-EXT-SRV-ATTR:host'], host);
    assert.equal(s.key_name, 'mykey');
    assert.deepEqual(Object.keys(s.addresses).sort(), ['backend', Object.keys(s.addresses).find((k) => k !== 'backend')].sort());
    assert.equal(Object.keys(s.addresses).length, 2);
  }
  launched = mine.map((s) => s.id);
});

test('launch again with the same custom size reuses its flavor; a failed launch leaves nothing', async () => {
  const group = (await aio.api.call('POST', '/v2.1/os-server-groups', { server_group: { name: 'spread', policies: ['anti-affinity'] } })).body.server_group;
  await page.click('#launch-link');
  await page.locator('#image-table input[type=radio]').first().check();
  await page.click('#step-tab-1');
  await page.fill('#custom-vcpus', '2');
  await page.fill('#custom-ram', '1');
  await page.fill('#custom-disk', '1');
  await page.click('#step-tab-3');
  await page.check('#net-mode-auto');
  await page.click('#step-tab-4');
  await page.fill('#instance-name', 'solo');
  await page.check('#config-drive');
  await page.selectOption('#server-group', group.id);
  const userData = join(aio.work, 'user-data.sh');
  writeFileSync(userData, '#!/bin/sh\necho from a file\n');
  await page.setInputFiles('#user-data-file', userData);
  await page.waitForFunction(() => document.querySelector('#user-data').value.includes('from a file'));
  await page.click('#wizard-launch');
  await page.waitForURL(/\/dashboard\/instances$/);
  await page.waitForSelector('#instances tr:has-text("solo")');
  const flavors = (await aio.api.get('/v2.1/flavors/detail')).flavors;
  assert.equal(flavors.filter((f) => f.name.startsWith('custom.')).length, 1);
  const solo = (await servers('?name=solo'))[0];
  assert.ok(solo.config_drive === true || solo.config_drive === 'True', `config_drive ${solo.config_drive}`);
  const members = (await aio.api.get(`/v2.1/os-server-groups/${group.id}`)).server_group.members;
  assert.deepEqual(members, [solo.id]);

  // A size no host can take makes a new flavor, the launch fails: the
  // message is shown and the new flavor is removed again.
  await page.click('#launch-link');
  await page.locator('#image-table input[type=radio]').first().check();
  await page.click('#step-tab-1');
  await page.fill('#custom-vcpus', '3');
  await page.fill('#custom-disk', '1');
  await page.click('#step-tab-3');
  await page.check('#net-mode-none');
  await page.click('#step-tab-4');
  await page.fill('#instance-name', 'doomed');
  await page.fill('#instance-count', '1');
  await page.route('**/v2.1/servers', (r) => (r.request().method() === 'POST'
    ? r.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ badRequest: { code: 400, message: 'Invalid key_name provided.' } }) })
    : r.continue()));
  await page.click('#wizard-launch');
  await page.waitForSelector('#launch-error .message.error');
  assert.match(await page.textContent('#launch-error'), /Invalid key_name provided/);
  await page.unroute('**/v2.1/servers');
  const after = (await aio.api.get('/v2.1/flavors/detail')).flavors;
  assert.equal(after.filter((f) => f.name.startsWith('custom.')).length, 1, 'the new flavor was removed');
});

test('status filter through the URL', async () => {
  await aio.api.call('POST', `/v2.1/servers/${launched[0]}/action`, { 'os-stop': null });
  await untilState(launched[0], 'stopped/-');
  await page.goto(url('/instances/filter/stopped'));
  await page.waitForSelector(`#instances tr[data-id="${launched[0]}"]`);
  assert.equal(await page.locator('#instances tbody tr[data-id]').count(), 1);
  assert.equal(await page.inputValue('#status-filter'), 'stopped');
  assert.ok(apiCalls.some(([, p]) => p.includes('status=SHUTOFF')));
  await page.selectOption('#status-filter', 'active');
  await page.waitForURL(/\/instances\/filter\/active$/);
  await page.waitForFunction(() => document.querySelectorAll('#instances tbody tr[data-id]').length === 3);
  // Sorting is the API's: a click on a column asks for sort_key/sort_dir.
  await Promise.all([page.waitForResponse((r) => r.url().includes('sort_key=display_name&sort_dir=asc')), page.click('th.col-name button.sort')]);
  await page.waitForFunction(() => {
    const names = [...document.querySelectorAll('#instances tbody td.col-name')].map((td) => td.textContent);
    return names.length === 3 && names.join() === [...names].sort().join();
  });
  assert.equal(await page.getAttribute('th.col-name', 'aria-sort'), 'ascending');
  await page.fill('#name-filter', 'solo');
  await page.waitForFunction(() => document.querySelectorAll('#instances tbody tr[data-id]').length === 1);
  await page.goto(url('/instances'));
  await page.waitForSelector('#instances tbody tr[data-id]');
});

// The row's Actions… dialog, then one of its actions.
async function rowAction(id, action) {
  await row(id).locator('button.row-actions').click();
  await page.click(`dialog button.menu-action[data-action="${action}"]`);
}

test('row actions, each checked against the API', async () => {
  const [a, b] = launched;
  const steps = [
    [a, 'start', 'active/-'], [a, 'stop', 'stopped/-'], [a, 'start', 'active/-'], [a, 'reboot_soft', 'active/-'],
    [a, 'reboot_hard', 'active/-'], [a, 'pause', 'paused/-'], [a, 'unpause', 'active/-'],
    [a, 'suspend', 'suspended/-'], [a, 'resume', 'active/-'],
  ];
  for (const [id, action, want] of steps) {
    await page.waitForSelector(`#instances tr[data-id="${id}"][data-actions~="${action}"]`);
    const n = apiCalls.length;
    await rowAction(id, action);
    await waitFor(() => callsSince(n, ([m, p]) => m === 'POST' && p === `/v2.1/servers/${id}/action`).length === 1, { what: `${action} sent` });
    await untilState(id, want);
  }
  // The menu offers only what Nova allows: a running instance cannot be started.
  await page.waitForFunction((sid) => document.querySelector(`#instances tr[data-id="${sid}"]`)?.dataset.status === 'ACTIVE', a);
  await row(a).locator('button.row-actions').click();
  const offered = await page.locator('dialog button.menu-action').evaluateAll((bs) => bs.map((b) => b.dataset.action));
  assert.ok(!offered.includes('start') && offered.includes('stop'));
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog', { state: 'detached' });

  // Rebuild with a chosen image.
  await rowAction(b, 'rebuild');
  await page.click('dialog button[type=submit]');
  await waitFor(async () => (await aio.api.get(`/v2.1/servers/${b}/os-instance-actions`)).instanceActions.some((x) => x.action === 'rebuild'), { what: 'rebuild' });
  await untilState(b, 'active/-');
  // Rename, and metadata.
  await rowAction(b, 'rename');
  await page.fill('dialog input[name=name]', 'renamed');
  await page.click('dialog button[type=submit]');
  await waitFor(async () => (await server(b)).body.server.name === 'renamed', { what: 'rename' });
  await rowAction(b, 'metadata');
  await page.click('dialog .add-kv');
  await page.locator('dialog .kv-key').last().fill('role');
  await page.locator('dialog .kv-value').last().fill('db');
  await page.click('dialog button[type=submit]');
  await waitFor(async () => (await server(b)).body.server.metadata.role === 'db', { what: 'metadata' });
  // Console log, last N lines, refreshable.
  await rowAction(b, 'console');
  await page.waitForFunction(() => !document.querySelector('dialog pre.console')?.textContent.startsWith('Loading'));
  await page.fill('dialog .console-lines', '5');
  await page.click('dialog .console-refresh');
  await page.waitForFunction(() => document.querySelector('dialog pre.console').textContent.trimEnd().split('\n').length <= 5);
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog', { state: 'detached' });
});

test('a refused action shows the API\'s message', async () => {
  const [a] = launched;
  await page.goto(url('/instances'));
  await page.waitForSelector(`#instances tr[data-id="${a}"]`);
  // Behind the page's back the instance stops; the page still offers "Shut off".
  await aio.api.call('POST', `/v2.1/servers/${a}/action`, { 'os-stop': null });
  await untilState(a, 'stopped/-');
  await rowAction(a, 'stop');
  await page.waitForSelector('#messages .message.error');
  assert.match(await page.textContent('#messages'), /Cannot 'stop' instance .* while it is in vm_state stopped/);
});

test('paging: 20 rows a page through limit/marker, next and previous', async () => {
  const pid = (await aio.api.get(`/v2.1/servers/${launched[0]}`)).server.tenant_id;
  await aio.api.call('PUT', `/v2.1/os-quota-sets/${pid}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  const image = (await aio.api.get('/image/v2/images')).images[0].id;
  const made = await aio.api.call('POST', '/v2.1/servers', { server: { name: 'page', imageRef: image, flavorRef: '1', min_count: 25, max_count: 25, networks: 'none' } });
  assert.equal(made.status, 202);
  await waitFor(async () => (await aio.api.get('/v2.1/servers?name=page&status=ACTIVE')).servers.length === 25, { what: '25 ACTIVE' });
  await page.goto(url('/instances'));
  await Promise.all([page.waitForResponse((r) => r.url().includes('name=page-')), page.fill('#name-filter', 'page-')]);
  await page.waitForFunction(() => document.querySelectorAll('#instances tbody tr[data-id]').length === 20);
  assert.match(await page.textContent('#table-info'), /Page 1 · 20 instances/);
  assert.ok(apiCalls.at(-1)[1].includes('limit=20'));
  await page.click('#next-page');
  await page.waitForFunction(() => document.querySelectorAll('#instances tbody tr[data-id]').length === 5);
  assert.ok(apiCalls.some(([, p]) => p.includes('marker=')));
  assert.ok(await page.isDisabled('#next-page'));
  await page.click('#prev-page');
  await page.waitForFunction(() => document.querySelectorAll('#instances tbody tr[data-id]').length === 20);
  for (const s of await servers('?name=page-')) await aio.api.call('POST', `/v2.1/servers/${s.id}/action`, { forceDelete: null });
  await waitFor(async () => (await servers('?name=page-')).length === 0, { what: 'page-* gone' });
});

test('an instance in ERROR shows its fault on its page', async () => {
  const image = (await aio.api.get('/image/v2/images')).images[0].id;
  const r = await aio.api.call('POST', '/v2.1/servers', { server: { name: 'broken', imageRef: image, flavorRef: '1', networks: 'none',
    metadata: { 'stratus:fake_fault:spawn': 'fail' } } });
  const id = r.body.server.id;
  await untilState(id, 'error/-');
  await page.goto(url(`/instances/${id}`));
  await page.waitForSelector('#fault .message.error');
  assert.match(await page.textContent('#fault'), /Fault 500/);
  await page.click('.detail-action[data-action="delete"]');
  await page.click('dialog button.primary');
  await page.waitForURL(/\/instances$/);
  await untilState(id, 'gone');
});

test('detail page: overview, action log with events, console', async () => {
  const [a] = launched;
  await page.click(`#instances tr[data-id="${a}"] td.col-name a`);
  await page.waitForURL(new RegExp(`/instances/${a}$`));
  await page.waitForSelector('#actions-table tbody tr');
  assert.equal((await page.textContent('dd[data-field="id"]')).trim(), a);
  assert.ok(await page.isVisible('dd[data-field="OS-EXT-STS:vm_state"]'));
  const log = await page.textContent('#actions-table');
  assert.match(log, /create/);
  assert.match(log, /stop/);
  assert.match(log, /compute_/, 'events shown to the admin');
  await page.waitForSelector('#console pre.console');
  await shot('detail');
  await page.click('.detail-action[data-action="start"]');
  await untilState(a, 'active/-');
});

test('bulk delete (soft delete kept for reclaim), restore, delete now', async () => {
  await page.goto(url('/instances'));
  const [, b, c] = launched;
  await page.waitForSelector(`#instances tr[data-id="${c}"]`);
  await row(b).locator('td.check input').check();
  await row(c).locator('td.check input').check();
  await page.click('.bulk button[data-action="delete"]');
  assert.match(await page.textContent('dialog'), /Delete 2 instances|Delete .*renamed/);
  await page.click('dialog button.primary');
  await untilState(b, 'soft-delete/-');
  await untilState(c, 'soft-delete/-');
  // Both rows show it before b's menu is opened (the menu offers what the row shows).
  for (const id of [b, c]) {
    await page.waitForFunction((i) => document.querySelector(`#instances tr[data-id="${i}"]`)?.dataset.status === 'SOFT_DELETED', id);
  }
  await rowAction(b, 'restore');
  await untilState(b, 'active/-');
  await rowAction(c, 'force_delete');
  await page.click('dialog button.primary');
  await untilState(c, 'gone');
  await page.waitForSelector(`#instances tr[data-id="${c}"]`, { state: 'detached' });
});

test('images: upload a file with progress, then delete it', async () => {
  await page.click('nav a[href="/dashboard/images"]');
  await page.click('#upload-form button[type=submit]');
  assert.match(await page.textContent('#upload-form'), /Enter a name/);
  const file = join(aio.work, 'tiny.qcow2');
  writeFileSync(file, Buffer.alloc(3 * 1024 * 1024, 7));
  await page.fill('#image-name', 'uploaded');
  await page.setInputFiles('#image-file', file);
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('#images-table tr[data-name="uploaded"]');
  assert.equal(await page.getAttribute('#upload-progress', 'value'), '100');
  const img = (await aio.api.get('/image/v2/images')).images.find((i) => i.name === 'uploaded');
  assert.equal(img.status, 'active');
  assert.equal(img.size, 3 * 1024 * 1024);
  await page.click('#images-table tr[data-name="uploaded"] button.delete-image');
  await page.click('dialog button.primary');
  await page.waitForSelector('#images-table tr[data-name="uploaded"]', { state: 'detached' });
  assert.equal((await aio.api.call('GET', `/image/v2/images/${img.id}`)).status, 404);
});

test('admin pages: hypervisors and compute services (disable, enable)', async () => {
  await page.click('nav a[href="/dashboard/hypervisors"]');
  await page.waitForSelector('#hypervisors-table tbody tr');
  assert.equal(await page.locator('#hypervisors-table tbody tr').count(), 2);
  await page.click('nav a[href="/dashboard/services"]');
  const sel = `#services-table tr[data-host="${host}"][data-binary="nova-compute"] button`;
  await page.click(sel);
  await waitFor(async () => (await aio.api.get('/v2.1/os-services')).services.some((s) => s.host === host && s.binary === 'nova-compute' && s.status === 'disabled'), { what: 'disabled' });
  await page.waitForSelector(`${sel}:has-text("Enable")`);
  await page.click(sel);
  await waitFor(async () => (await aio.api.get('/v2.1/os-services')).services.some((s) => s.host === host && s.binary === 'nova-compute' && s.status === 'enabled'), { what: 'enabled' });
});

test('keyboard: Enter opens the actions, Escape closes them and gives the focus back, Enter submits', async () => {
  await page.goto(url('/instances'));
  const id = launched[1];
  await page.waitForSelector(`#instances tr[data-id="${id}"]`);
  await row(id).locator('button.row-actions').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog button.menu-action');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog', { state: 'detached' });
  assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('row-actions')), 'focus back on the row');
  await page.keyboard.press('Enter');
  await page.focus('dialog button.menu-action[data-action="rename"]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('dialog input[name=name]');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('by-keyboard');
  await page.keyboard.press('Enter');
  await waitFor(async () => (await server(id)).body.server.name === 'by-keyboard', { what: 'rename by keyboard' });
});

test('a narrow screen keeps the table usable', async () => {
  await page.setViewportSize({ width: 420, height: 800 });
  await page.goto(url('/instances'));
  await page.waitForSelector('#instances tbody tr[data-id]');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page itself does not scroll sideways (${overflow}px)`);
  await shot('index-narrow');
  await page.setViewportSize({ width: 1360, height: 860 });
});

test('logout, and an expired token brings back the login page with a message', async () => {
  await page.click('#logout');
  await page.waitForURL(/\/login$/);
  assert.match(await page.textContent('#login-status'), /logged out/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('stratus.session')), null);
  await login();
  const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('stratus.session')).token);
  const revoked = await fetch(`${aio.root}/identity/v3/auth/tokens`, { method: 'DELETE', headers: { 'X-Auth-Token': aio.api.token, 'X-Subject-Token': token } });
  assert.equal(revoked.status, 204);
  await page.click('nav a[href="/dashboard/images"]');
  await page.waitForURL(/\/login$/);
  assert.match(await page.textContent('#login-status'), /session has expired/);
  await shot('login-expired');
});

const stratusCli = (...args) => execFileSync(STRATUS, args, { encoding: 'utf8', input: 'secret-pass\n' });

test('switch project: the token is re-scoped and the admin pages go with the admin role', async () => {
  stratusCli('project', '--data-dir', aio.data, 'create', 'demo');
  stratusCli('role', '--data-dir', aio.data, 'add', 'member', '--user', 'admin', '--project', 'demo');
  await login();
  await page.waitForFunction(() => [...document.querySelectorAll('#project-switch option')].some((o) => o.textContent === 'demo'));
  const demo = await page.$eval('#project-switch', (sel) => [...sel.options].find((o) => o.textContent === 'demo').value);
  await page.selectOption('#project-switch', demo);
  await page.waitForFunction(() => JSON.parse(sessionStorage.getItem('stratus.session')).project.name === 'demo');
  await page.waitForSelector('#instances tr.empty');
  assert.equal(await page.locator('nav a[href="/dashboard/hypervisors"]').count(), 0);
});

test('a member: custom sizes and hosts are not offered, and the launch works with a flavor', async () => {
  await page.click('#logout');
  stratusCli('user', '--data-dir', aio.data, 'create', 'alice', '--project', 'demo', '--role', 'member');
  await login('alice', 'secret-pass', 'demo');
  await page.click('nav a[href="/dashboard/launch"]');
  await page.waitForSelector('#image-table tbody tr');
  assert.ok(await page.isDisabled('#flavor-custom'));
  assert.match(await page.textContent('.step-panel[data-step="1"]'), /administrators only/);
  assert.equal(await page.locator('#host-table').count(), 0);
  await page.locator('#image-table input[type=radio]').first().check();
  await page.click('#step-tab-1');
  await page.check('#flavor-table input[value="1"]');
  await page.click('#step-tab-3');
  await page.check('#net-mode-auto');
  await page.click('#step-tab-4');
  await page.fill('#instance-name', 'alices');
  await page.click('#wizard-launch');
  await page.waitForURL(/\/dashboard\/instances$/);
  await page.waitForFunction(() => document.querySelector('#instances tbody tr[data-id]')?.dataset.status === 'ACTIVE', null, { timeout: 20000 });
  const alice = await (await import('./lib/aio.mjs')).apiClient(aio.root, 'alice', 'secret-pass', 'demo');
  assert.deepEqual((await alice.get('/v2.1/servers')).servers.map((x) => x.name), ['alices']);
});
