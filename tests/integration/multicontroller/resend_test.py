#!/usr/bin/python3
"""A build placed by a conductor that dies before its cast (issue #14).

The multicontroller cloud (router, controllers ctl1 and ctl2 on PostgreSQL,
three fake computes), ctl1 started with the test hook
STRATUS_TEST_HOOK_CONDUCTOR_KILL_AFTER_PLACEMENT=1: its conductor kills
itself (SIGKILL) when about to cast its first build_and_run_instance, the
build placed (claim made, host set, task still "scheduling") and the cast
recorded as ctl1's.
Creates go through ctl2's API until that happens; ctl1 is then restarted
without the hook (a new process under the same host name). Then:

  - the placed instance becomes ACTIVE, well before instance_build_timeout
    (60 s here; before the conductors' sweep re-sent such builds, it ended
    in ERROR at that timeout): the sweep found the conductor process that
    recorded the cast gone (its presence lease expired, then held by the
    restarted ctl1) and cast the build to its host again;
  - its create action has the conductor's re-send event, and one build
    event: the compute built it once (one "spawning" line in all the
    computes' logs);
  - every other create ends ACTIVE too.

    resend_test.py STRATUS_BINARY POSTGRESQL_URL PSQL

Ports 47705-47719 (the wrapper's PostgreSQL takes 47700-47704).
"""
import os
import re
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import multicontroller_test as mc  # noqa: E402  (reads the same argv)

chaos_test = mc.chaos_test
call, delete_servers, settle = mc.call, mc.delete_servers, mc.settle

PORTS = range(47705, 47720)
HOOK = "STRATUS_TEST_HOOK_CONDUCTOR_KILL_AFTER_PLACEMENT"
BUILD_TIMEOUT = 60   # s: conductor.instance_build_timeout
ACTIVE_WITHIN = 35   # s after the kill: lost_build_timeout (8) + lease hand-overs + slack for a loaded machine
MAX_CREATES = 12


def events_of_create(uuid):
    return mc.psql("SELECT e.event, COALESCE(e.result, ''), e.host FROM instance_action_events e "
                   "JOIN instance_actions a ON a.id = e.action_id "
                   "WHERE a.instance_uuid = '%s' AND a.action = 'create' ORDER BY e.id" % uuid)


def main():
    work = tempfile.mkdtemp(prefix="stratus-resend-")
    cloud = mc.Cloud(work, PORTS)
    cloud.common = ["conductor.instance_build_timeout=%d" % BUILD_TIMEOUT
                    if a.startswith("conductor.instance_build_timeout=") else a for a in cloud.common]
    failures = []
    try:
        cloud.wait_ready("router", cloud.start("router"))
        os.environ[HOOK] = "1"  # ctl1's first start only
        try:
            mark = cloud.start("ctl1")
        finally:
            del os.environ[HOOK]
        cloud.wait_ready("ctl1", mark, limit=40.0)
        cloud.wait_ready("ctl2", cloud.start("ctl2"), limit=40.0)
        for name in mc.COMPUTES:
            cloud.start(name)
        for name in mc.COMPUTES:
            cloud.wait_ready(name, 0, limit=40.0)
        for c in mc.CONTROLLERS:
            mc.wait_up(cloud.api[c])
        api = cloud.api["ctl2"]
        call(api, "PUT", "/os-quota-sets/admin", {"quota_set": {"instances": -1, "cores": -1, "ram": -1}})
        image = call(api, "GET", "/images")[1]["images"][0]["id"]

        # Creates one at a time until ctl1's conductor has taken one (the
        # router hands build_instances to the conductors in turn).
        ids = []
        killed_at = None
        for i in range(MAX_CREATES):
            ids.append(call(api, "POST", "/servers", {
                "server": {"name": "resend-%d" % i, "imageRef": image, "flavorRef": "1"}})[1]["server"]["id"])
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and cloud.procs["ctl1"].poll() is None:
                time.sleep(0.1)
            if cloud.procs["ctl1"].poll() is not None:
                killed_at = time.monotonic()
                break
        if killed_at is None:
            raise SystemExit("ctl1's conductor took none of %d builds (the hook never fired)" % len(ids))
        hooked = re.search(r"TEST HOOK: conductor killed after placing instance ([0-9a-f-]{36})", cloud.read_log("ctl1"))
        if not hooked:
            raise SystemExit("ctl1 died without the hook's line")
        victim = hooked.group(1)
        placed = mc.psql("SELECT host, COALESCE(task_state, '') FROM instances WHERE uuid = '%s'" % victim)
        print("ctl1 killed after placing %s (%s, after %d create(s))" % (victim, placed, len(ids)), flush=True)
        if not placed or not placed[0][0] or placed[0][1] != "scheduling":
            failures.append("%s was not left placed and unsent: %s" % (victim, placed))
        # Back under the same host name: a new process, not the one that placed it.
        cloud.wait_ready("ctl1", cloud.start("ctl1"), limit=40.0)

        status, active_after = None, None
        while time.monotonic() - killed_at < BUILD_TIMEOUT + 10:
            try:
                status = call(api, "GET", "/servers/" + victim)[1]["server"]["status"]
            except OSError:
                status = None
            if status in ("ACTIVE", "ERROR"):
                active_after = time.monotonic() - killed_at
                break
            time.sleep(0.2)
        print("%s: %s %s s after the kill (instance_build_timeout %d s)" % (
            victim, status, "%.1f" % active_after if active_after is not None else "?", BUILD_TIMEOUT), flush=True)
        if status != "ACTIVE":
            failures.append("the placed build ended %s, not ACTIVE" % status)
        elif active_after > ACTIVE_WITHIN:
            failures.append("the placed build took %.1f s to become ACTIVE (bound %d s)" % (active_after, ACTIVE_WITHIN))

        events = events_of_create(victim)
        print("create action events of %s: %s" % (victim, events), flush=True)
        resent = [e for e in events if e[0] == "conductor_resend_build_and_run_instance"]
        builds = [e for e in events if e[0] == "compute__do_build_and_run_instance"]
        if not resent or resent[0][1] != "Success":
            failures.append("no successful re-send event: %s" % events)
        if len(builds) != 1 or builds[0][1] != "Success":
            failures.append("not one successful build event: %s" % builds)
        spawns = sum(len(re.findall("instance %s: spawning on" % victim, cloud.read_log(c))) for c in mc.COMPUTES)
        if spawns != 1:
            failures.append("%s spawned %d times" % (victim, spawns))

        listings, settled_in = settle([api], ids, chaos_test.SETTLE_LIMIT, 1.0)
        not_active = [(s["id"], s["status"]) for s in listings[0] if s["id"] in ids and s["status"] != "ACTIVE"]
        print("%d create(s): settled in %s s; not ACTIVE: %s" % (
            len(ids), "%.1f" % settled_in if settled_in is not None else "NEVER", not_active), flush=True)
        if settled_in is None or not_active:
            failures.append("creates not all ACTIVE: %s" % not_active)
        if delete_servers([api], ids, 4, chaos_test.DELETE_LIMIT) is None:
            failures.append("deleting the servers did not finish")
    finally:
        chaos_test.shut_down(cloud, work, failures)
    return chaos_test.verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
