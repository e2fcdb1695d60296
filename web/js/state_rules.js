// Which server actions Nova accepts from which state: its documented state
// table (the @check_instance_state decorators of nova/compute/api.py, as
// Stratus's compute API applies them, core/compute/api/compute_api.cpp).
// The dashboard offers an action only where this says Nova would take it; a
// 409 that still comes back (the state moved on meanwhile) is shown as is.
//
// A rule: vm (allowed vm_states; null: any), task (allowed task_states, null
// standing for "no task"; undefined: any), launched (the instance must have
// launched once, OS-SRV-USG:launched_at set).

const NO_TASK = [null];
const HARD_REBOOT_TASKS = [null, 'rebooting', 'reboot_pending', 'reboot_started', 'resuming', 'rebooting_hard',
  'unpausing', 'pausing', 'suspending'];

export const RULES = {
  start: { vm: ['stopped'], task: NO_TASK, launched: true },
  stop: { vm: ['active', 'error'], task: NO_TASK, launched: true },
  reboot_soft: { vm: ['active'], task: NO_TASK, launched: true },
  reboot_hard: { vm: ['active', 'stopped', 'paused', 'suspended', 'error'], task: HARD_REBOOT_TASKS, launched: true },
  pause: { vm: ['active'], task: NO_TASK, launched: true },
  unpause: { vm: ['paused'], task: NO_TASK, launched: true },
  suspend: { vm: ['active'], task: NO_TASK, launched: true },
  resume: { vm: ['suspended'], task: NO_TASK, launched: true },
  rebuild: { vm: ['active', 'stopped', 'error'], task: NO_TASK, launched: true },
  // Horizon's "update": a rename has no state check in Nova; metadata does.
  rename: { vm: null, task: undefined, launched: false },
  metadata: { vm: ['active', 'paused', 'suspended', 'stopped'], task: undefined, launched: true },
  console: { vm: ['active', 'stopped', 'paused', 'suspended', 'error', 'rescued'], task: undefined, launched: true },
  delete: { vm: null, task: undefined, launched: false },
  restore: { vm: ['soft-delete'], task: NO_TASK, launched: true },
  force_delete: { vm: ['soft-delete'], task: undefined, launched: false },
};

// The words a person reads, in menu order.
export const LABELS = {
  start: 'Start', stop: 'Shut off', reboot_soft: 'Soft reboot', reboot_hard: 'Hard reboot', pause: 'Pause',
  unpause: 'Unpause', suspend: 'Suspend', resume: 'Resume', rebuild: 'Rebuild…', rename: 'Edit name…',
  metadata: 'Edit metadata…', console: 'Console log', delete: 'Delete…', restore: 'Restore', force_delete: 'Delete now…',
};

// Actions that take effect on several selected rows at once (no dialog per row).
export const BULK = ['start', 'stop', 'reboot_soft', 'reboot_hard', 'pause', 'unpause', 'suspend', 'resume', 'restore',
  'delete'];

export const vmState = (s) => s['OS-EXT-STS:vm_state'] ?? null;
export const taskState = (s) => s['OS-EXT-STS:task_state'] ?? null;
const launched = (s) => Boolean(s['OS-SRV-USG:launched_at']);

// True when Nova would accept `action` on server `s` (a GET /servers reply item).
export function allows(action, s) {
  const rule = RULES[action];
  if (!rule) return false;
  const vm = vmState(s);
  if (vm === 'deleted') return false;
  // Soft-deleted instances (vm_state "soft-delete") take only restore and force delete.
  if (vm === 'soft-delete' && action !== 'restore' && action !== 'force_delete') return false;
  if (rule.vm && !rule.vm.includes(vm)) return false;
  if (rule.task !== undefined && !rule.task.includes(taskState(s))) return false;
  if (rule.launched && !launched(s)) return false;
  return true;
}

// The actions offered for `s`, in menu order.
export function allowedActions(s) {
  return Object.keys(RULES).filter((a) => allows(a, s));
}

// True while something is happening to the instance that the page should
// follow (a task in progress or a build): the index polls only then.
export function inFlight(s) {
  return taskState(s) !== null || vmState(s) === 'building';
}

// The API's status filter (?status=) for a Horizon vm_state filter word.
export const STATUS_FOR_VM_STATE = {
  active: 'ACTIVE', building: 'BUILD', stopped: 'SHUTOFF', paused: 'PAUSED', suspended: 'SUSPENDED', error: 'ERROR',
  soft_deleted: 'SOFT_DELETED', rescued: 'RESCUE', resized: 'VERIFY_RESIZE', shelved_offloaded: 'SHELVED_OFFLOADED',
};
