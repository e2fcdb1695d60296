#!/usr/bin/python3
"""Several controllers on one PostgreSQL (issue #14).

One router, two controllers (`stratus serve api conductor scheduler`, hosts
ctl1 and ctl2, each with its own API port) and three fake computes, all on
the PostgreSQL server the shell wrapper started. A storm of creates is
spread over both APIs; once a third is sent, the controller that holds the
stuck-instance sweep's lease is killed (SIGKILL) and restarted. Then:

  - every create that got a 202 ends ACTIVE, or ERROR with a fault, and is
    listed (none stuck in a task, none missing);
  - the survivor took the lease over (its log says so) and the lease never
    had two holders at once: sampled all along, each holder's tenure ends
    (its last expires_at) no later than the next holder took it;
  - `openstack server list` works through either API (a clouds.yaml cloud
    per API) and shows the same servers;
  - deleting everything leaves no instance, allocation or port.

    multicontroller_test.py STRATUS_BINARY POSTGRESQL_URL PSQL

STRATUS_MC_CREATES (default 200) sets the storm's size. Ports 47570-47599
(the wrapper's PostgreSQL takes 47560-47569).
"""
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

STRATUS, PG_URL, PSQL = sys.argv[1], sys.argv[2], sys.argv[3]
# The REST helpers and the settle/delete rules of the chaos test (it reads
# its binary from argv[1] too).
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "chaos"))
import chaos_test  # noqa: E402
from cloud_http import call, delete_servers, settle  # noqa: E402

CREATES = int(os.environ.get("STRATUS_MC_CREATES", "200"))
PORTS = range(47570, 47600)
COMPUTES = ["c1", "c2", "c3"]
CONTROLLERS = ["ctl1", "ctl2"]
LEASE = "conductor.stuck-instance-sweep"
STUCK_CHECK_INTERVAL = 1  # s; the lease lasts three of them


def psql(sql):
    out = subprocess.run([PSQL, "-X", "-q", "-t", "-A", "-F", "|", PG_URL, "-c", sql], capture_output=True,
                         text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError("psql: %s" % out.stderr.strip())
    return [line.split("|") for line in out.stdout.splitlines() if line]


class Cloud(chaos_test.Cloud):
    """The chaos test's cloud (start, wait_ready, kill9, stop_all, logs), with
    two controllers on PostgreSQL in place of its single api, conductor and
    scheduler, and no CURVE."""

    def __init__(self, work, ports=PORTS):  # not the chaos cloud's: no keys, other ports and roles
        self.work = work
        self.procs = {}
        router_port, api1, api2 = chaos_test.free_ports(3, ports)
        self.router = "tcp://127.0.0.1:%d" % router_port
        self.listen = {"ctl1": "127.0.0.1:%d" % api1, "ctl2": "127.0.0.1:%d" % api2}
        self.api = {c: "http://%s/v2.1" % self.listen[c] for c in CONTROLLERS}
        self.common = [
            "--set", "rpc.heartbeat_ms=100", "--set", "compute.heartbeat_interval=0.3",
            "--set", "compute.resource_report_interval=0.5", "--set", "compute.sync_power_state_interval=1",
            "--set", "service_down_time=3", "--set", "rpc.call_timeout=5",
            "--set", "data_dir=" + os.path.join(work, "data"), "--set", "api.auth_strategy=noauth",
            "--set", "database.connection=" + PG_URL, "--set", "rpc.router=" + self.router,
            "--set", "conductor.lost_build_timeout=8", "--set", "conductor.instance_build_timeout=25",
            "--set", "conductor.task_timeout=10",
            "--set", "conductor.stuck_check_interval=%d" % STUCK_CHECK_INTERVAL,
            "--set", "driver.fake.vcpus=1000", "--set", "driver.fake.memory_mb=1000000",
            "--set", "driver.fake.local_gb=100000",
            "--set", "filter.num_instances.max_instances_per_host=1000",
            "--log-level", "info"]

    def role_args(self, name):
        if name == "router":
            return ["serve", "router", "--bind", self.router, "--insecure"]
        if name in CONTROLLERS:
            return ["--set", "host=" + name, "serve", "api", "conductor", "scheduler", "--listen", self.listen[name]]
        return super().role_args(name)

    def read_log(self, name, mark=0):
        with open(self.log(name), "rb") as f:
            f.seek(mark)
            return f.read().decode(errors="replace")


def wait_up(api, limit=40.0):
    deadline = time.monotonic() + limit
    hv = []
    while time.monotonic() < deadline:
        try:
            hv = call(api, "GET", "/os-hypervisors/detail", timeout=5)[1]["hypervisors"]
            if len(hv) == len(COMPUTES) and all(h["state"] == "up" for h in hv):
                return
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise SystemExit("%s: hypervisors not all up: %s" % (api, [(h["hypervisor_hostname"], h["state"]) for h in hv]))


class LeaseWatch:
    """Samples the lease row every 0.2 s: (holder, acquired_at, expires_at)."""

    def __init__(self):
        self.samples = []
        self.errors = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stop.wait(0.2):
            try:
                rows = psql("SELECT holder, acquired_at, expires_at FROM periodic_leases WHERE name = '%s'" % LEASE)
            except (RuntimeError, subprocess.TimeoutExpired):
                self.errors += 1
                continue
            if rows:
                self.samples.append((time.monotonic(),) + tuple(rows[0]))

    def current(self):
        return self.samples[-1][1:] if self.samples else None

    def overlaps(self):
        """Tenures (holder, acquired_at) in order, and any whose last seen
        expiry is after the next tenure began."""
        tenures = []  # [holder, acquired_at, last expires_at]
        for _, holder, acquired, expires in self.samples:
            if tenures and tenures[-1][0] == holder and tenures[-1][1] == acquired:
                tenures[-1][2] = max(tenures[-1][2], expires)
            else:
                tenures.append([holder, acquired, expires])
        bad = [(a, b) for a, b in zip(tenures, tenures[1:]) if a[2] > b[1]]
        return tenures, bad


def storm(cloud, image, victim, restart):
    """CREATES creates over both APIs (chaos_test.CreateStorm: a refused
    connection goes to the other API); `victim` killed after a third and
    restarted by restart()."""
    creates = chaos_test.CreateStorm([cloud.api[c] for c in CONTROLLERS], CREATES, lambda i: {
        "server": {"name": "mc-%d" % i, "imageRef": image, "flavorRef": "1"}})
    creates.wait_sent(CREATES // 3)
    cloud.kill9(victim)
    killed_at = time.monotonic()
    restart()
    accepted, refused = creates.join()
    return accepted, refused, killed_at


def openstack_list(work, cloud_name):
    out = subprocess.run(["timeout", "120", "/usr/bin/openstack", "--os-cloud", cloud_name, "server", "list",
                          "--all-projects", "--limit", "-1", "-f", "json"], capture_output=True, text=True, cwd=work,
                         env=dict(os.environ, OS_CLIENT_CONFIG_FILE=os.path.join(work, "clouds.yaml")))
    if out.returncode != 0:
        return None, out.stderr.strip()[-500:]
    return json.loads(out.stdout), ""


def main():
    work = tempfile.mkdtemp(prefix="stratus-mc-")
    cloud = Cloud(work)
    watch = LeaseWatch()
    failures = []
    started = time.monotonic()
    try:
        cloud.wait_ready("router", cloud.start("router"))
        # One after the other: the first migrates and seeds the database.
        for name in CONTROLLERS:
            cloud.wait_ready(name, cloud.start(name), limit=40.0)
        for name in COMPUTES:
            cloud.start(name)
        for name in COMPUTES:
            cloud.wait_ready(name, 0, limit=40.0)
        for c in CONTROLLERS:
            wait_up(cloud.api[c])
        call(cloud.api["ctl1"], "PUT", "/os-quota-sets/admin", {"quota_set": {"instances": -1, "cores": -1, "ram": -1}})
        image = call(cloud.api["ctl2"], "GET", "/images")[1]["images"][0]["id"]
        watch.thread.start()
        deadline = time.monotonic() + 20
        while watch.current() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        first = watch.current()
        if first is None:
            raise SystemExit("nobody took the lease %s within 20 s" % LEASE)
        victim = first[0].split(":")[0]
        survivor = CONTROLLERS[1 - CONTROLLERS.index(victim)]
        survivor_mark = len(cloud.read_log(survivor).encode())
        print("lease %s held by %s: killing %s mid-storm" % (LEASE, first[0], victim), flush=True)
        restart_mark = [0]

        def restart():
            # Back once the survivor holds the lease (bounded), so that the
            # hand-over is the survivor's and not the restarted one's.
            limit = time.monotonic() + 30
            while time.monotonic() < limit:
                now = watch.current()
                if now and now[0].startswith(survivor + ":"):
                    break
                time.sleep(0.2)
            restart_mark[0] = cloud.start(victim)
            cloud.wait_ready(victim, restart_mark[0], limit=40.0)

        accepted, refused, killed_at = storm(cloud, image, victim, restart)
        for c in CONTROLLERS:
            wait_up(cloud.api[c])
        listings, settled_in = settle([cloud.api["ctl1"]], accepted, chaos_test.SETTLE_LIMIT, chaos_test.POWER_SYNC_GRACE)
        listed = listings[0]
        by_id, missing, stuck, errors, faultless, active = chaos_test.outcome(listed, accepted)
        print("multicontroller: creates %d, 202 %d, refused %d; listed %d: active %d, error %d (%d without a fault), "
              "stuck %d, missing %d; settled in %s s" % (
                  CREATES, len(accepted), len(refused), len(listed), active, len(errors), len(faultless), len(stuck),
                  len(missing), "%.1f" % settled_in if settled_in is not None else "NEVER"), flush=True)
        if missing:
            failures.append("%d accepted servers missing, e.g. %s" % (len(missing), missing[:3]))
        if stuck:
            failures.append("%d servers stuck, e.g. %s" % (
                len(stuck), [(s["id"], s["status"], s["OS-EXT-STS:task_state"]) for s in stuck[:3]]))
        if faultless:
            failures.append("ERROR without a fault: %s" % faultless[:3])
        if settled_in is None:
            failures.append("never settled")
        if not accepted:
            failures.append("no create was accepted")

        # The lease: taken over by the survivor, one holder at a time.
        taken = re.search(r"periodic lease '%s': taken by (%s:\d+)[^\n]*from (%s:\d+)" % (
            re.escape(LEASE), survivor, victim), cloud.read_log(survivor)[survivor_mark:])
        if not taken:
            failures.append("%s never logged taking the lease from %s" % (survivor, victim))
        else:
            print("lease: %s" % taken.group(0), flush=True)
        handed = [t for t, holder, _, _ in watch.samples if t > killed_at and holder.startswith(survivor + ":")]
        if not handed:
            failures.append("the lease table never showed %s as the holder" % survivor)
        else:
            # At most a lease time (3 intervals) plus an interval, and slack for a loaded machine.
            print("lease handed over %.1f s after the kill" % (handed[0] - killed_at), flush=True)
            if handed[0] - killed_at > 4 * STUCK_CHECK_INTERVAL + 10:
                failures.append("the lease took %.1f s to be handed over" % (handed[0] - killed_at))
        tenures, overlapping = watch.overlaps()
        print("lease tenures seen: %s" % [(h, a) for h, a, _ in tenures], flush=True)
        if overlapping:
            failures.append("two holders at once: %s" % overlapping)
        if watch.errors > len(watch.samples):
            failures.append("the lease table could not be read (%d errors)" % watch.errors)

        # The openstack CLI through either API.
        with open(os.path.join(work, "clouds.yaml"), "w") as f:
            f.write("clouds:\n")
            for c in CONTROLLERS:
                base = cloud.api[c][: -len("/v2.1")]
                f.write("  %s:\n    auth_type: admin_token\n    auth:\n      endpoint: %s/v2.1\n      token: any\n"
                        "    image_endpoint_override: %s/image\n    network_endpoint_override: %s/network\n"
                        % (c, base, base, base))
        seen = {}
        for c in CONTROLLERS:
            got, why = openstack_list(work, c)
            if got is None:
                failures.append("openstack server list through %s failed: %s" % (c, why))
            else:
                seen[c] = sorted(s["ID"] for s in got)
        if len(seen) == 2:
            if seen["ctl1"] != seen["ctl2"] or set(seen["ctl1"]) != set(by_id):
                failures.append("openstack server list differs between the APIs (%d vs %d, %d listed by REST)"
                                % (len(seen["ctl1"]), len(seen["ctl2"]), len(by_id)))
            else:
                print("openstack server list through ctl1 and ctl2: %d servers each" % len(seen["ctl1"]), flush=True)

        deleted_in = delete_servers([cloud.api["ctl2"]], [s["id"] for s in listed], chaos_test.WORKERS, chaos_test.DELETE_LIMIT)
        left = {t: int(psql(q)[0][0]) for t, q in [
            ("instances", "SELECT COUNT(*) FROM instances WHERE deleted = 0"),
            ("allocations", "SELECT COUNT(*) FROM allocations"), ("ports", "SELECT COUNT(*) FROM ports")]}
        print("deleted in %s s; left %s; %.0f s in all" % (
            "%.1f" % deleted_in if deleted_in is not None else "NEVER", left, time.monotonic() - started), flush=True)
        if deleted_in is None or any(left.values()):
            failures.append("after delete all, left %s" % left)
    finally:
        watch.stop.set()
        if watch.thread.is_alive():
            watch.thread.join(timeout=30)
        chaos_test.shut_down(cloud, work, failures)
    return chaos_test.verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
