// The dashboard's state rules against Nova's state table (node --test).
import test from 'node:test';
import assert from 'node:assert/strict';
import { allows, allowedActions, inFlight, RULES, LABELS, BULK } from '../../../web/js/state_rules.js';

const server = (vm, task = null, launchedAt = '2026-01-01T00:00:00.000000') => ({
  'OS-EXT-STS:vm_state': vm, 'OS-EXT-STS:task_state': task, 'OS-SRV-USG:launched_at': launchedAt,
});

test('an active instance offers stop, reboots, pause, suspend, rebuild, but not start or resume', () => {
  const a = allowedActions(server('active'));
  for (const x of ['stop', 'reboot_soft', 'reboot_hard', 'pause', 'suspend', 'rebuild', 'rename', 'metadata',
    'console', 'delete']) assert.ok(a.includes(x), x);
  for (const x of ['start', 'unpause', 'resume', 'restore', 'force_delete']) assert.ok(!a.includes(x), x);
});

test('a stopped instance starts, hard-reboots and rebuilds, but does not soft-reboot, pause or suspend', () => {
  const s = server('stopped');
  assert.ok(allows('start', s));
  assert.ok(allows('reboot_hard', s));
  assert.ok(allows('rebuild', s));
  for (const x of ['reboot_soft', 'pause', 'suspend', 'stop', 'unpause', 'resume']) assert.ok(!allows(x, s), x);
});

test('paused and suspended undo only with their own opposite', () => {
  assert.deepEqual(['unpause', 'resume'].filter((x) => allows(x, server('paused'))), ['unpause']);
  assert.deepEqual(['unpause', 'resume'].filter((x) => allows(x, server('suspended'))), ['resume']);
});

test('a task in progress blocks everything but a hard reboot over a reboot, rename, metadata and delete', () => {
  const s = server('active', 'rebooting');
  assert.ok(allows('reboot_hard', s));
  assert.ok(!allows('reboot_soft', s));
  assert.ok(!allows('stop', s));
  assert.ok(allows('delete', s));
  assert.ok(allows('rename', s));
  assert.ok(!allows('reboot_hard', server('active', 'rebuilding')));
  assert.ok(!allows('reboot_hard', server('active', 'deleting')));
});

test('an error instance can be stopped, hard-rebooted, rebuilt and deleted', () => {
  const s = server('error');
  for (const x of ['stop', 'reboot_hard', 'rebuild', 'delete']) assert.ok(allows(x, s), x);
  assert.ok(!allows('start', s));
  assert.ok(!allows('reboot_soft', s));
});

test('an instance that never launched can only be renamed or deleted', () => {
  const s = server('building', 'spawning', null);
  assert.deepEqual(allowedActions(s), ['rename', 'delete']);
  assert.deepEqual(allowedActions(server('error', null, null)), ['rename', 'delete']);
});

test('a soft-deleted instance offers restore and force delete only', () => {
  assert.deepEqual(allowedActions(server('soft-delete')), ['restore', 'force_delete']);
  assert.deepEqual(allowedActions(server('deleted')), []);
});

test('in flight: any task, or building', () => {
  assert.ok(inFlight(server('active', 'powering-off')));
  assert.ok(inFlight(server('building', null, null)));
  assert.ok(!inFlight(server('active')));
  assert.ok(!inFlight(server('error')));
});

test('every rule has a label, bulk actions are rules, unknown actions are refused', () => {
  for (const a of Object.keys(RULES)) assert.ok(LABELS[a], a);
  for (const a of BULK) assert.ok(RULES[a], a);
  assert.ok(!allows('explode', server('active')));
});
