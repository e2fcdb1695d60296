// Starts `stratus aio` for a browser test, as tests/integration/lib/aio.sh
// does for the shell tests: loopback, port 0, a temporary data directory;
// stopped by its PID. Also a small API client with the admin's token.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startAio(stratus, { fakeHosts = 2, extraArgs = [], set = [] } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'stratus-browser-'));
  const data = join(work, 'data');
  const env = { ...process.env };
  for (const k of ['STRATUS_CONFIG', 'STRATUS_PLUGIN_PATH', 'STRATUS_URL', 'STRATUS_TOKEN', 'OS_CLOUD', 'OS_CLIENT_CONFIG_FILE']) delete env[k];
  const args = ['--log-level', 'warn', '--set', 'compute.heartbeat_interval=0.5', '--set', 'compute.resource_report_interval=1',
    ...set.flatMap((s) => ['--set', s]), 'aio', '--data-dir', data, '--listen', '127.0.0.1:0', '--fake-hosts', String(fakeHosts), ...extraArgs];
  const child = spawn(stratus, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // However this process ends, the cloud it started ends with it.
  process.on('exit', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const deadline = Date.now() + 30000;
  while (!/ready at/.test(out)) {
    if (child.exitCode !== null) throw new Error(`stratus aio exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`stratus aio did not start:\n${out}`); }
    await new Promise((r) => setTimeout(r, 100));
  }
  const root = /http:\/\/127\.0\.0\.1:\d+/.exec(out)[0];
  const clouds = readFileSync(join(data, 'clouds.yaml'), 'utf8');
  const password = /password: "([^"]*)"/.exec(clouds)[1];
  await new Promise((r) => setTimeout(r, 1500));  // the scheduler hears the hosts' first reports
  const aio = {
    root, password, work, data, output: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const until = Date.now() + 5000;
        while (child.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
  aio.api = await apiClient(root, 'admin', password, 'admin');
  return aio;
}

// A token-holding client for checking what the dashboard did.
export async function apiClient(root, user, password, project) {
  const res = await fetch(`${root}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
      scope: { project: { name: project, domain: { name: 'Default' } } } } }),
  });
  if (!res.ok) throw new Error(`login as ${user}: ${res.status} ${await res.text()}`);
  const token = res.headers.get('X-Subject-Token');
  const call = async (method, path, body) => {
    const r = await fetch(root + path, { method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return { token, call, get: async (p) => (await call('GET', p)).body };
}

// Polls `fn` until it returns a truthy value (bounded).
export async function waitFor(fn, { timeout = 20000, interval = 200, what = 'condition' } = {}) {
  const until = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
