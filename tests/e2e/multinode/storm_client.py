#!/usr/bin/python3
"""The client of the multi-node test (multinode_netns_test.sh), run in the
client's network namespace: a storm of creates through both APIs, the kill
signalled to the test script a third of the way in, then the checks.

1. Waits (bounded) for both APIs and every compute host to be up; lifts
   the admin project's quota.
2. CREATES creates from WORKERS clients, alternating between the APIs; a
   create refused at connect (its API is down) goes to the other API, as a
   load balancer would send it. After a third, once the victim compute
   runs a few guests, writes --kill-at (the script then kills -9 a
   controller and a compute and starts them again, and touches
   --restarted). The last tenth waits for --restarted, so the restarted
   controller's API serves again within the storm.
3. Every server that got a 202 must be ACTIVE, or ERROR with a fault, with
   no task state, still so after a few power syncs; none missing from the
   list of either API.
4. Deletes them all through both APIs; both lists empty; PostgreSQL holds
   no instance, allocation or port.

Prints one line per outcome; exit 1 on a failed check.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integration", "lib"))
from cloud_http import TRANSIENT, call, delete_servers, fault_reasons, settle, settled_state  # noqa: E402

WORKERS = 8
KILL_WITH_GUESTS = 3     # the victim compute runs this many guests when killed
READY_LIMIT = 60.0
RESTART_LIMIT = 90.0     # for --restarted to appear
SETTLE_LIMIT = 150.0
POWER_SYNC_GRACE = 3.0   # three power syncs (sync_power_state_interval = 1)
DELETE_LIMIT = 120.0


def wait_up(apis, hosts):
    deadline = time.monotonic() + READY_LIMIT
    seen = []
    while time.monotonic() < deadline:
        try:
            for api in apis:
                hv = call(api, "GET", "/os-hypervisors/detail", timeout=5)[1]["hypervisors"]
                seen = sorted((h["hypervisor_hostname"], h["state"]) for h in hv)
                if sorted(h for h, state in seen if state == "up") != sorted(hosts):
                    break
            else:
                return
        except TRANSIENT:
            pass
        time.sleep(0.3)
    raise SystemExit("FAIL: compute hosts not all up through every API within %.0f s: %s" % (READY_LIMIT, seen))


def guests_in(state_file):
    try:
        with open(state_file) as f:
            return len(json.load(f)["guests"])
    except (OSError, ValueError, KeyError):
        return 0


def storm(args, image):
    """Returns accepted [(uuid, api index)], refused count, 202s by API after
    the restart."""
    apis = args.api
    accepted, refused = [], [0]
    after_restart = [0] * len(apis)
    lock = threading.Lock()
    next_index = [0]
    late = args.creates - args.creates // 10  # these wait for the restart

    def worker():
        while True:
            with lock:
                i = next_index[0]
                if i >= args.creates:
                    return
                next_index[0] += 1
            if i >= late:
                deadline = time.monotonic() + RESTART_LIMIT
                while not os.path.exists(args.restarted) and time.monotonic() < deadline:
                    time.sleep(0.1)
            restarted = os.path.exists(args.restarted)
            body = {"server": {"name": "mn-%d" % i, "imageRef": image, "flavorRef": "1"}}
            which = i % len(apis)
            uuid = None
            for attempt in range(2 * len(apis)):
                try:
                    status, reply = call(apis[which], "POST", "/servers", body, timeout=30)
                    if status == 202:
                        uuid = reply["server"]["id"]
                except urllib.error.HTTPError:
                    pass
                except urllib.error.URLError as e:
                    # Refused at connect: nothing was sent; the other API.
                    if isinstance(e.reason, ConnectionRefusedError):
                        which = (which + 1) % len(apis)
                        time.sleep(0.1)
                        continue
                except TRANSIENT:
                    pass  # cut off mid-request: no 202, no promise
                break
            with lock:
                if uuid is None:
                    refused[0] += 1
                else:
                    accepted.append((uuid, which))
                    if restarted:
                        after_restart[which] += 1

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    third = max(1, args.creates // 3)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with lock:
            if next_index[0] >= third:
                break
        time.sleep(0.01)
    # Builds lag the 202s: the victim compute should be running guests too.
    deadline = time.monotonic() + 30
    while guests_in(args.victim_state) < KILL_WITH_GUESTS and time.monotonic() < deadline:
        time.sleep(0.02)
    with lock:
        sent = next_index[0]
    with open(args.kill_at, "w") as f:
        f.write("%d of %d creates sent, the victim compute running %d guest(s)" %
                (sent, args.creates, guests_in(args.victim_state)))
    for t in threads:
        t.join(timeout=300)
    if any(t.is_alive() for t in threads):
        raise SystemExit("FAIL: create workers still running after 300 s")
    return accepted, refused[0], after_restart


def rows_left(args):
    counts = {}
    for table, where in (("instances", " WHERE deleted = 0"), ("allocations", ""), ("ports", "")):
        out = subprocess.run([args.psql, "-X", "-q", "-t", "-A", args.pg_url, "-c",
                              "SELECT COUNT(*) FROM %s%s" % (table, where)],
                             capture_output=True, text=True, timeout=30)
        counts[table] = int(out.stdout.strip()) if out.returncode == 0 else "psql failed: " + out.stderr.strip()
    return counts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", action="append", required=True)
    p.add_argument("--hosts", required=True)
    p.add_argument("--creates", type=int, default=200)
    p.add_argument("--victim-state", required=True)
    p.add_argument("--kill-at", required=True)
    p.add_argument("--restarted", required=True)
    p.add_argument("--psql", required=True)
    p.add_argument("--pg-url", required=True)
    args = p.parse_args()
    apis, hosts = args.api, args.hosts.split()
    failures = []

    wait_up(apis, hosts)
    call(apis[0], "PUT", "/os-quota-sets/admin", {"quota_set": {"instances": -1, "cores": -1, "ram": -1}})
    image = call(apis[0], "GET", "/images")[1]["images"][0]["id"]
    time.sleep(1)  # every scheduler has heard every host's report

    t = time.monotonic()
    accepted, refused, after_restart = storm(args, image)
    by_api = [sum(1 for _, a in accepted if a == n) for n in range(len(apis))]
    print("outcome creates: %d sent, 202 %d (api1 %d, api2 %d), refused %d; 202 after the restart: api1 %d, api2 %d; "
          "%.1f s" % (args.creates, len(accepted), by_api[0], by_api[1], refused,
                      after_restart[0], after_restart[1], time.monotonic() - t), flush=True)
    if not accepted:
        failures.append("no create was accepted")
    if after_restart[1] == 0:
        failures.append("the restarted controller's API accepted no create after its restart")

    wait_up(apis, hosts)
    ids = {u for u, _ in accepted}
    listings, settled_in = settle(apis, ids, SETTLE_LIMIT, POWER_SYNC_GRACE)
    listed = listings[0]
    by_id = {s["id"]: s for s in listed}
    missing = sorted(ids - set(by_id))
    missing_api2 = sorted(ids - {s["id"] for s in listings[1]})
    stuck = [s for s in listed if not settled_state(s)]
    active = [s for s in listed if s["status"] == "ACTIVE"]
    errors = [s for s in listed if s["status"] == "ERROR"]
    faultless = [s["id"] for s in errors if not (s.get("fault") or {}).get("message")]
    extra = len(set(by_id) - ids)
    per_host = {}
    for s in active:
        h = s.get("OS-EXT-SRV-ATTR:host") or "?"
        per_host[h] = per_host.get(h, 0) + 1
    print("outcome ACTIVE: %d (by host: %s)" % (len(active), ", ".join("%s %d" % kv for kv in sorted(per_host.items()))))
    print("outcome ERROR: %d (%d without a fault)%s" % (
        len(errors), len(faultless), "".join("; %d x %s" % r for r in fault_reasons(errors))))
    print("outcome stuck: %d%s" % (len(stuck), "".join(
        " %s %s/%s" % (s["id"], s["status"], s["OS-EXT-STS:task_state"]) for s in stuck[:3])))
    print("outcome missing: %d from api1, %d from api2; listed without a 202: %d; settled in %s s" % (
        len(missing), len(missing_api2), extra, "%.1f" % settled_in if settled_in is not None else "NEVER"), flush=True)
    if missing or missing_api2:
        failures.append("accepted servers missing: %s" % (missing or missing_api2)[:3])
    if stuck:
        failures.append("%d servers stuck" % len(stuck))
    if faultless:
        failures.append("ERROR without a fault: %s" % faultless[:3])
    if settled_in is None:
        failures.append("never settled within %.0f s" % SETTLE_LIMIT)
    if len(per_host) < len(hosts):
        failures.append("ACTIVE servers on %d of %d hosts only" % (len(per_host), len(hosts)))

    deleted_in = delete_servers(apis, set(by_id) | ids, WORKERS, DELETE_LIMIT)
    left = rows_left(args)
    print("outcome deleted: %s; left in PostgreSQL: %s" % (
        "both lists empty in %.1f s" % deleted_in if deleted_in is not None else "NOT EMPTY after %.0f s" % DELETE_LIMIT,
        ", ".join("%s %s" % kv for kv in left.items())), flush=True)
    if deleted_in is None or any(v != 0 for v in left.values()):
        failures.append("after delete all: %s" % left)

    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
