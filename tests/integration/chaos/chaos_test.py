#!/usr/bin/python3
"""Chaos: never stuck, never lost (issue #15).

The multi-process cloud over tcp with CURVE (router, api, conductor,
scheduler, three computes, each its own `stratus serve`). For each role in
turn: a storm of creates, a kill -9 of that role mid-storm, a restart; then
every server that got a 202 must be ACTIVE, or ERROR with a fault, within a
bound (none in BUILD or with a task state, none missing from the list); then
everything is deleted and nothing remains (no instance, no allocation, no
port). One line per role with the counts.

    chaos_test.py STRATUS_BINARY

STRATUS_CHAOS_CREATES (default 200) sets the storm's size and
STRATUS_CHAOS_ROLES (default router,api,conductor,scheduler,compute;
see ROLES) the roles. Ports: the router and the
API need fixed ports to come back on, taken from 47300-47399 (no other test
uses that range; all others bind port 0; STRATUS_CHAOS_PORTS=LO-HI moves
it). Each compute's fake hypervisor keeps its guests in its own
[driver.fake] state_file in the work directory, so a compute's kill -9 does
not kill its guests (a real hypervisor outlives its compute service). Short stuck-instance bounds
([conductor] *_timeout) make the sweep act within seconds.
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from cloud_http import call, delete_servers, fault_reasons, settle, settled_state  # noqa: E402

STRATUS = sys.argv[1]
CREATES = int(os.environ.get("STRATUS_CHAOS_CREATES", "200"))
# Every role, the router included: a compute's final "active" update whose
# reply the router's restart lost is sent again and succeeds (a transition
# already in place is not a refusal), so no guest is destroyed for it.
ROLES = os.environ.get("STRATUS_CHAOS_ROLES", "router,api,conductor,scheduler,compute").split(",")
# STRATUS_CHAOS_PORTS="LO-HI" (inclusive) moves the range, e.g. for a second
# checkout running this test beside CI's.
_lo, _hi = os.environ.get("STRATUS_CHAOS_PORTS", "47300-47399").split("-")
PORTS = range(int(_lo), int(_hi) + 1)
WORKERS = 8            # concurrent create/delete clients
SETTLE_LIMIT = 120.0   # seconds for every server to reach ACTIVE or ERROR
POWER_SYNC_GRACE = 3.0  # ... and to stay so: three power syncs (sync_power_state_interval=1)
DELETE_LIMIT = 120.0
COMPUTES = ["c1", "c2", "c3"]
KILL_WITH_GUESTS = 5   # the compute round kills c2 once it runs this many guests


def free_ports(n, ports=PORTS):
    out = []
    for port in ports:
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            out.append(port)
        except OSError:
            pass
        finally:
            s.close()
        if len(out) == n:
            return out
    raise SystemExit("no %d free ports in %s" % (n, ports))


class Cloud:
    def __init__(self, work):
        self.work = work
        self.procs = {}  # name -> Popen
        router_port, api_port = free_ports(2)
        self.router = "tcp://127.0.0.1:%d" % router_port
        self.listen = "127.0.0.1:%d" % api_port
        self.api = "http://%s/v2.1" % self.listen
        self.keys = os.path.join(work, "keys")
        self.db = os.path.join(work, "data")
        self.common = [
            "--set", "rpc.heartbeat_ms=100", "--set", "compute.heartbeat_interval=0.3",
            "--set", "compute.resource_report_interval=0.5", "--set", "compute.sync_power_state_interval=1",
            "--set", "service_down_time=3", "--set", "rpc.call_timeout=5",
            "--set", "data_dir=" + self.db, "--set", "api.auth_strategy=noauth",
            "--set", "rpc.router=" + self.router, "--set", "rpc.keys_dir=" + self.keys,
            # The sweep within seconds: a lost build after 8 s, a stalled one
            # or a stuck task after 25 s / 10 s, looked for every second.
            "--set", "conductor.lost_build_timeout=8", "--set", "conductor.instance_build_timeout=25",
            "--set", "conductor.task_timeout=10", "--set", "conductor.stuck_check_interval=1",
            "--set", "driver.fake.vcpus=1000", "--set", "driver.fake.memory_mb=1000000",
            "--set", "driver.fake.local_gb=100000",
            # Room for a whole storm: errors must come from the chaos, not capacity.
            "--set", "filter.num_instances.max_instances_per_host=1000",
            "--log-level", "info"]
        self.keygen()

    def keygen(self):
        policies = {
            "router": [],
            "api": ["--call", "conductor", "--call", "compute.*", "--call", "scheduler"],
            "conductor": ["--serve", "conductor", "--call", "scheduler", "--call", "compute.*"],
            "scheduler": ["--serve", "scheduler", "--call", "conductor"],
        }
        for c in COMPUTES:
            policies["compute-" + c] = ["--serve", "compute." + c, "--call", "conductor"]
        for name, policy in policies.items():
            subprocess.run([STRATUS, "keys", "generate", "--keys-dir", self.keys, name] + policy,
                           check=True, stdout=subprocess.DEVNULL)

    def state_file(self, name):
        return os.path.join(self.work, name + ".guests.json")

    def log(self, name):
        return os.path.join(self.work, name + ".out")

    def role_args(self, name):
        """The arguments after the common ones that start role `name`."""
        if name == "router":
            return ["serve", "router", "--bind", self.router, "--keys-dir", self.keys]
        if name == "api":
            return ["--set", "host=ctl", "serve", "api", "--listen", self.listen]
        if name in ("conductor", "scheduler"):
            return ["--set", "host=ctl", "serve", name]
        # Its own hypervisor state, kept across its kill -9 (one file per host).
        return ["--set", "host=" + name, "--set", "driver.fake.state_file=" + self.state_file(name),
                "serve", "compute"]

    def start(self, name):
        args = self.role_args(name)
        out = open(self.log(name), "ab")
        mark = out.tell()
        self.procs[name] = subprocess.Popen([STRATUS] + self.common + args, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        return mark

    def wait_ready(self, name, mark, what="ready", limit=30.0):
        deadline = time.monotonic() + limit
        needle = b"listening on" if name == "router" else what.encode()
        while time.monotonic() < deadline:
            with open(self.log(name), "rb") as f:
                f.seek(mark)
                if needle in f.read():
                    return
            if self.procs[name].poll() is not None:
                break
            time.sleep(0.1)
        with open(self.log(name), "rb") as f:
            sys.stdout.write(f.read()[-4000:].decode(errors="replace"))
        raise SystemExit("%s did not become ready" % name)

    def guests_in_state_file(self, name):
        """Guests the compute's fake host has saved (0 before its first save)."""
        try:
            with open(self.state_file(name)) as f:
                return len(json.load(f)["guests"])
        except FileNotFoundError:
            return 0

    def guests_kept(self, name, mark):
        """How many guests the restarted compute's fake host found in its
        state file (its start-up log line), or None without that line."""
        with open(self.log(name), "rb") as f:
            f.seek(mark)
            found = re.search(rb"(\d+) guest\(s\) kept from before the restart", f.read())
        return int(found.group(1)) if found else None

    def kill9(self, name):
        p = self.procs[name]
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=10)

    def stop_all(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def wait_api(api, limit=30.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            call(api, "GET", "/flavors", timeout=5)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise SystemExit("the API never answered")


def wait_hypervisors_up(api, limit=30.0):
    deadline = time.monotonic() + limit
    hv = []
    while time.monotonic() < deadline:
        try:
            hv = call(api, "GET", "/os-hypervisors/detail")[1]["hypervisors"]
            if len(hv) == len(COMPUTES) and all(h["state"] == "up" for h in hv):
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise SystemExit("hypervisors not all up: %s" % [(h["hypervisor_hostname"], h["state"]) for h in hv])


class CreateStorm:
    """`count` creates from WORKERS client threads, one server per POST,
    create i sent to apis[i % len(apis)]. A refused connection (nothing was
    sent) is tried again, on the next API of the list, for up to 60 s: a
    client tries again once an API is back, or another behind a balancer. A
    202 is a promise (its id in `accepted`); anything else, a request cut
    off included, is not (its index in `refused`)."""

    def __init__(self, apis, count, body):  # body(i): the request body of create i
        self.apis, self.count, self.body = apis, count, body
        self.accepted, self.refused = [], []
        self.lock = threading.Lock()
        self.next_index = 0
        self.threads = [threading.Thread(target=self.worker) for _ in range(WORKERS)]
        for t in self.threads:
            t.start()

    def worker(self):
        while True:
            with self.lock:
                i = self.next_index
                if i >= self.count:
                    return
                self.next_index += 1
            target = i % len(self.apis)
            ok, reply = False, None
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, reply = call(self.apis[target], "POST", "/servers", self.body(i), timeout=30)
                    ok = status == 202
                except urllib.error.HTTPError:
                    pass
                except urllib.error.URLError as e:
                    if isinstance(e.reason, ConnectionRefusedError) and time.monotonic() < deadline:
                        target = (target + 1) % len(self.apis)
                        time.sleep(0.2)
                        continue
                except (OSError, ValueError, http.client.HTTPException):
                    pass  # cut off mid-request: no 202, no promise
                break
            with self.lock:
                (self.accepted if ok else self.refused).append(reply["server"]["id"] if ok else i)

    def wait_sent(self, n):
        """Until n creates were sent (bounded: the workers always end)."""
        while True:
            with self.lock:
                if self.next_index >= min(n, self.count):
                    return
            time.sleep(0.01)

    def join(self):
        for t in self.threads:
            t.join(timeout=300)
        return self.accepted, self.refused


def storm(cloud, role, image):
    """CREATES creates (CreateStorm); `role` killed after a third (a
    compute once it also runs KILL_WITH_GUESTS guests), restarted. Returns the
    accepted ids, the refused indexes, and for a compute (guests it ran at the
    kill, guests it kept)."""
    creates = CreateStorm([cloud.api], CREATES, lambda i: {
        "server": {"name": "chaos-%s-%d" % (role, i), "imageRef": image, "flavorRef": "1"}})
    victim = "c2" if role == "compute" else role
    creates.wait_sent(CREATES // 3)
    had = None
    if role == "compute":
        # Builds lag the 202s: wait (bounded) until c2's hypervisor runs some
        # guests, so the kill hits running guests as well as builds in flight.
        deadline = time.monotonic() + 30
        while True:
            had = cloud.guests_in_state_file(victim)
            if had >= KILL_WITH_GUESTS or time.monotonic() > deadline:
                break
            time.sleep(0.01)
    cloud.kill9(victim)
    time.sleep(1.0)
    mark = cloud.start(victim)
    cloud.wait_ready(victim, mark)
    kept = cloud.guests_kept(victim, mark) if role == "compute" else None
    accepted, refused = creates.join()
    return accepted, refused, (had, kept)


# Settled: ACTIVE or ERROR with no task, in every round (cloud_http.settled_state):
# each fake compute keeps its guests in its own state file, so a kill -9 of a
# compute leaves its guests running, as a libvirt host's domains outlive
# nova-compute.


def remaining_rows(db_dir):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(db_dir, "stratus.db"), uri=True, timeout=10)
    try:
        q = lambda sql: db.execute(sql).fetchone()[0]
        return {"instances": q("SELECT COUNT(*) FROM instances WHERE deleted = 0"),
                "allocations": q("SELECT COUNT(*) FROM allocations"),
                "ports": q("SELECT COUNT(*) FROM ports")}
    finally:
        db.close()


def outcome(listed, accepted):
    """What became of the accepted creates: (listed by id, accepted ids not
    listed, servers not settled, servers in ERROR, ids of those without a
    fault, how many are ACTIVE)."""
    by_id = {s["id"]: s for s in listed}
    missing = [u for u in accepted if u not in by_id]
    stuck = [s for s in listed if not settled_state(s)]
    errors = [s for s in listed if s["status"] == "ERROR"]
    faultless = [s["id"] for s in errors if not (s.get("fault") or {}).get("message")]
    active = sum(1 for s in listed if s["status"] == "ACTIVE")
    return by_id, missing, stuck, errors, faultless, active


def shut_down(cloud, work, failures):
    """Stops every process; when something failed, prints the end of each
    one's log; removes the work directory."""
    cloud.stop_all()
    if failures:
        for name in cloud.procs:
            print("---- %s (tail)" % name)
            with open(cloud.log(name), "rb") as f:
                sys.stdout.write(f.read()[-3000:].decode(errors="replace"))
    shutil.rmtree(work, ignore_errors=True)


def verdict(failures):
    """Prints each failure and their count; the exit status."""
    for f in failures:
        print("FAIL: " + f)
    print("failures: %d" % len(failures))
    return 1 if failures else 0


def main():
    work = tempfile.mkdtemp(prefix="stratus-chaos-")
    cloud = Cloud(work)
    failures = []
    try:
        for name in ["router", "scheduler", "conductor"] + COMPUTES + ["api"]:
            cloud.wait_ready(name, cloud.start(name))
        wait_api(cloud.api)
        wait_hypervisors_up(cloud.api)
        call(cloud.api, "PUT", "/os-quota-sets/admin",
             {"quota_set": {"instances": -1, "cores": -1, "ram": -1}})
        image = call(cloud.api, "GET", "/images")[1]["images"][0]["id"]
        time.sleep(1)  # the scheduler hears the reports one period after the conductor
        for role in ROLES:
            started = time.monotonic()
            accepted, refused, c2_guests = storm(cloud, role, image)
            wait_api(cloud.api)
            wait_hypervisors_up(cloud.api)
            listings, settled_in = settle([cloud.api], accepted, SETTLE_LIMIT, POWER_SYNC_GRACE)
            listed = listings[0]
            _, missing, stuck, errors, faultless, active = outcome(listed, accepted)
            deleted_in = delete_servers([cloud.api], [s["id"] for s in listed], WORKERS, DELETE_LIMIT)
            left = remaining_rows(cloud.db)
            print("chaos: %-9s creates %d, 202 %d, refused %d; listed %d: active %d, error %d (%d without a fault), "
                  "stuck %d, missing %d;%s settled in %s s; deleted in %s s; left %s; %.0f s"
                  % (role, CREATES, len(accepted), len(refused), len(listed), active, len(errors), len(faultless),
                     len(stuck), len(missing),
                     " c2 ran %s guest(s) at its kill -9 and kept %s;" % c2_guests if role == "compute" else "",
                     "%.1f" % settled_in if settled_in is not None else "NEVER",
                     "%.1f" % deleted_in if deleted_in is not None else "NEVER", left,
                     time.monotonic() - started), flush=True)
            for n, text in fault_reasons(errors):
                print("  %-9s %3d x %s" % (role, n, text), flush=True)
            if missing:
                failures.append("%s: %d accepted servers missing, e.g. %s" % (role, len(missing), missing[:3]))
            if stuck:
                failures.append("%s: %d servers stuck, e.g. %s" % (
                    role, len(stuck), [(s["id"], s["status"], s["OS-EXT-STS:task_state"]) for s in stuck[:3]]))
            if faultless:
                failures.append("%s: ERROR without a fault: %s" % (role, faultless[:3]))
            if settled_in is None:
                failures.append("%s: never settled within %.0f s" % (role, SETTLE_LIMIT))
            if deleted_in is None or any(left.values()):
                failures.append("%s: after delete all, left %s" % (role, left))
            if role == "compute" and (c2_guests[1] is None or c2_guests[1] < c2_guests[0]):
                failures.append("compute: c2 ran %s guests at its kill -9 but kept %s" % c2_guests)
            if not accepted:
                failures.append("%s: no create was accepted" % role)
    finally:
        shut_down(cloud, work, failures)
    return verdict(failures)


if __name__ == "__main__":
    sys.exit(main())
