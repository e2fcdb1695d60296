// The dashboard's figures (docs/performance.md), all in one run against
// `stratus aio --fake-hosts 10` holding 1,000 instances:
//   - navigation to the first rows shown (performance mark stratus:rows-drawn
//     from navigation start), against the GET /v2.1/servers/detail page the
//     index asks for, timed alone from node;
//   - a status-filter change (mark stratus:filter-change to rows drawn), against
//     the same page's API call inside that change (resource timing);
//   - the page's own JavaScript (web/js), bytes uncompressed.
// Prints medians and the ratio to the API call. No pass/fail.
//   node bench/dashboard/dashboard_bench.mjs build/bin/stratus [instances=1000] [runs=15]
import { readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const require = createRequire(join(repo, 'tests', 'browser', 'package.json'));
const { chromium } = require('playwright-core');
const { startAio, waitFor } = await import(join(repo, 'tests', 'browser', 'lib', 'aio.mjs'));

const [stratus, nArg, runsArg] = process.argv.slice(2);
const N = Number(nArg || 1000);
const RUNS = Number(runsArg || 15);
if (!stratus) throw new Error('usage: dashboard_bench.mjs STRATUS_BINARY [instances] [runs]');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function jsBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? jsBytes(p) : e.name.endsWith('.js') ? statSync(p).size : 0;
  }
  return total;
}

const aio = await startAio(stratus, { fakeHosts: 10 });
let browser;
try {
  // Room for N instances in the admin project, then N of them in batches.
  const tokenInfo = await fetch(`${aio.root}/identity/v3/auth/tokens`, { headers: { 'X-Auth-Token': aio.api.token, 'X-Subject-Token': aio.api.token } }).then((r) => r.json());
  const pid = tokenInfo.token.project.id;
  await aio.api.call('PUT', `/v2.1/os-quota-sets/${pid}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
  const image = (await aio.api.get('/image/v2/images')).images[0].id;
  const started = Date.now();
  for (let made = 0; made < N; made += 100) {
    const n = Math.min(100, N - made);
    const r = await aio.api.call('POST', '/v2.1/servers', { server: { name: `bench-${made}`, imageRef: image, flavorRef: '1', min_count: n, max_count: n, networks: 'none' } });
    if (r.status !== 202) throw new Error(`create: ${r.status} ${JSON.stringify(r.body)}`);
  }
  await waitFor(async () => (await aio.api.get('/v2.1/servers?status=BUILD&limit=1')).servers.length === 0, { timeout: 600000, interval: 1000, what: 'all built' });
  const total = (await aio.api.get('/v2.1/servers?limit=1000')).servers.length;
  const active = (await aio.api.get('/v2.1/servers?status=ACTIVE&limit=1000')).servers.length;
  const error = (await aio.api.get('/v2.1/servers?status=ERROR&limit=1000')).servers.length;
  console.log(`setup: ${total} instances (${active} ACTIVE, ${error} ERROR: the fake hosts are full) on 10 fake hosts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (total < Math.min(N, 1000)) throw new Error(`only ${total} instances were made`);

  // The API call the index makes, alone.
  const q = '/v2.1/servers/detail?limit=20&sort_key=created_at&sort_dir=desc';
  const apiTimes = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await aio.api.get(q);
    apiTimes.push(performance.now() - t0);
  }

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 860 } })).newPage();
  await page.goto(`${aio.root}/dashboard/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', aio.password);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('#instances tbody tr[data-id]');

  const firstRows = [];
  for (let i = 0; i < RUNS; i++) {
    await page.goto(`${aio.root}/dashboard/instances`);
    await page.waitForFunction(() => performance.getEntriesByName('stratus:rows-drawn').length > 0);
    firstRows.push(await page.evaluate(() => performance.getEntriesByName('stratus:rows-drawn')[0].startTime));
  }

  const filterWall = [];
  const filterApi = [];
  const states = ['active', 'stopped', 'error'];
  for (let i = 0; i < RUNS; i++) {
    await page.evaluate(() => { performance.clearMarks(); performance.clearResourceTimings(); });
    const state = states[i % states.length];
    await page.selectOption('#status-filter', state);
    await page.waitForFunction(() => performance.getEntriesByName('stratus:rows-drawn').length > 0);
    const m = await page.evaluate(() => {
      const from = performance.getEntriesByName('stratus:filter-change')[0].startTime;
      const to = performance.getEntriesByName('stratus:rows-drawn')[0].startTime;
      const call = performance.getEntriesByType('resource').filter((e) => e.name.includes('/v2.1/servers/detail')).at(-1);
      return { wall: to - from, api: call.responseEnd - call.startTime };
    });
    filterWall.push(m.wall);
    filterApi.push(m.api);
  }

  const api = median(apiTimes);
  const first = median(firstRows);
  const wall = median(filterWall);
  const inPageApi = median(filterApi);
  const js = jsBytes(join(repo, 'web', 'js'));
  console.log(`instances: ${N}, fake hosts: 10, runs: ${RUNS} (medians)`);
  console.log(`GET ${q}: ${api.toFixed(1)} ms (node, alone)`);
  console.log(`navigation to first rows shown: ${first.toFixed(1)} ms  (${(first / api).toFixed(1)}x the API call; goal < 300 ms)`);
  console.log(`status-filter change: ${wall.toFixed(1)} ms wall, of which the API call ${inPageApi.toFixed(1)} ms; beyond it ${(wall - inPageApi).toFixed(1)} ms (goal < 100 ms)`);
  console.log(`dashboard JavaScript (web/js, uncompressed): ${(js / 1024).toFixed(1)} KiB (goal < 100 KB)`);
} finally {
  await browser?.close();
  await aio.stop();
}
