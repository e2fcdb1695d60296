#!/usr/bin/python3
"""Several controllers, measured (issue #14, "Figures").

Three clouds, one after the other, each fresh and with the same shape: a
router, controllers (`stratus serve api conductor scheduler`) and one
`stratus serve compute` process serving H fake hosts:

  sqlite-1   one controller on SQLite (its data directory)
  pg-1       one controller on PostgreSQL (a fresh database)
  pg-2       two controllers on PostgreSQL (a fresh database), the clients
             alternating between their APIs

For each: N servers created by C concurrent REST clients (one server per
POST), a poller counting ACTIVE servers in /servers/detail every 0.1 s.
Prints boot/s (first POST sent to the last server seen ACTIVE), POST
latency p50/p99, boot latency p50, and the ratios the issue asks for:
pg-2 / pg-1 boot/s (goal >= 1.6) and pg-1 / sqlite-1 boot/s (goal >= 0.8).

    multi_controller_bench.py STRATUS PG_URL PSQL [--servers N] [--clients C] [--hosts H] [--rounds R]
                              [--baseline OTHER_STRATUS] [--set KEY=VALUE ...]

With --baseline, every configuration also runs on the other binary (a copy
of the build before a change, with its ../lib/stratus/plugins), in the same
round right before this one, and the ratios are printed for both. --set
passes a setting to this binary's processes only (the baseline may not know
the key). Each run also prints the CPU its processes used per server booted
(router, each controller, compute, and PostgreSQL's server processes, from
/proc) and how idle the machine was, so that a ratio short of its goal can
be told apart from a machine with no CPU to spare.

Every port is 0 (the roles print theirs) except PostgreSQL's, which the
shell wrapper chose. Each process started is stopped by PID.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error

p = argparse.ArgumentParser()
p.add_argument("stratus")
p.add_argument("pg_url")
p.add_argument("psql")
p.add_argument("--servers", type=int, default=200)
p.add_argument("--clients", type=int, default=8)
p.add_argument("--hosts", type=int, default=4)
p.add_argument("--rounds", type=int, default=1, help="runs of each configuration (the best boot/s is kept)")
p.add_argument("--configs", default="sqlite-1,pg-1,pg-2", help="which configurations, in order")
p.add_argument("--keep", action="store_true", help="keep each cloud's folder (logs) and print where")
p.add_argument("--baseline", help="another stratus binary to run every configuration with too")
p.add_argument("--set", action="append", default=[], dest="settings", help="KEY=VALUE for this binary only")
args = p.parse_args()


# The chaos test's REST call (it reads the binary from argv[1] too).
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration", "chaos"))
from chaos_test import call  # noqa: E402


def wait_line(proc, log, pattern, limit=60.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with open(log, errors="replace") as f:
            m = re.search(pattern, f.read())
        if m:
            return m
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    with open(log, errors="replace") as f:
        sys.stdout.write(f.read()[-3000:])
    raise SystemExit("no '%s' in %s" % (pattern, log))


class Cloud:
    def __init__(self, name, controllers, connection, binary, settings):
        self.work = tempfile.mkdtemp(prefix="stratus-mcbench-%s-" % name.replace(" ", "-"))
        self.binary = binary
        self.procs = []
        self.names = []
        self.apis = []
        common = []
        for kv in settings:
            common += ["--set", kv]
        common += ["--log-level", os.environ.get("STRATUS_BENCH_LOG_LEVEL", "warn"), "--set", "rpc.heartbeat_ms=100", "--set", "compute.heartbeat_interval=0.5",
                  "--set", "compute.resource_report_interval=1", "--set", "data_dir=" + os.path.join(self.work, "data"),
                  "--set", "api.auth_strategy=noauth",
                  "--set", "driver.fake.vcpus=4096", "--set", "driver.fake.memory_mb=8388608",
                  "--set", "driver.fake.local_gb=1000000", "--set", "filter.num_instances.max_instances_per_host=10000"]
        if connection:
            common += ["--set", "database.connection=" + connection]
        router = self.start("router", common + ["serve", "router", "--bind", "tcp://127.0.0.1:0", "--insecure"],
                            r"tcp://127\.0\.0\.1:\d+")
        common += ["--set", "rpc.router=" + router.group(0)]
        for i in range(controllers):
            # One after the other: the first migrates and seeds the database.
            url = self.start("ctl%d" % (i + 1), common + ["--set", "host=ctl%d" % (i + 1), "serve", "api", "conductor",
                                                           "scheduler", "--listen", "127.0.0.1:0"],
                             r"http://127\.0\.0\.1:\d+/v2\.1")
            self.apis.append(url.group(0))
        hosts = []
        for h in range(args.hosts):
            hosts += ["--compute-host", "bench-%d" % (h + 1)]
        self.start("compute", common + ["serve", "compute"] + hosts, r"stratus serve: compute ready")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            hv = call(self.apis[0], "GET", "/os-hypervisors/detail")[1]["hypervisors"]
            if len(hv) == args.hosts and all(h["state"] == "up" for h in hv):
                break
            time.sleep(0.2)
        else:
            raise SystemExit("hosts not up: %s" % hv)
        time.sleep(1.5)  # the schedulers hear the reports a period after the conductors
        call(self.apis[0], "PUT", "/os-quota-sets/admin", {"quota_set": {"instances": -1, "cores": -1, "ram": -1}})
        self.image = call(self.apis[0], "GET", "/images")[1]["images"][0]["id"]

    def start(self, name, argv, pattern):
        log = os.path.join(self.work, name + ".log")
        with open(log, "wb") as out:
            proc = subprocess.Popen([self.binary] + argv, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        self.names.append(name)
        return wait_line(proc, log, pattern)

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if args.keep:
            print("logs kept in %s" % self.work, flush=True)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def pct(values, q):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(len(v) * q))]


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (0 when it is gone)."""
    try:
        fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def postgres_pids():
    """The PostgreSQL server's processes (the postmaster and its children)."""
    data = os.environ.get("STRATUS_BENCH_PG_DATA")
    try:
        master = int(open(os.path.join(data, "postmaster.pid")).readline())
    except (TypeError, OSError, ValueError):
        return []
    pids = [master]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()[1]) == master:
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def machine_idle():
    """(idle, total) jiffies of all CPUs since boot."""
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return v[3] + v[4], sum(v[:8])


def cpu_snapshot(cloud):
    snap = {name: cpu_seconds(proc.pid) for name, proc in zip(cloud.names, cloud.procs)}
    snap["postgres"] = {pid: cpu_seconds(pid) for pid in postgres_pids()}
    return snap


def cpu_used(before, after):
    used = {name: after[name] - before[name] for name in after if name != "postgres"}
    used["postgres"] = sum(t - before["postgres"].get(pid, 0.0) for pid, t in after["postgres"].items())
    return used


def measure(cloud):
    sent_at, post_ms, errors = {}, [], []
    lock = threading.Lock()
    next_index = [0]

    def client():
        while True:
            with lock:
                i = next_index[0]
                if i >= args.servers:
                    return
                next_index[0] += 1
            api = cloud.apis[i % len(cloud.apis)]
            body = {"server": {"name": "bench-%d" % i, "imageRef": cloud.image, "flavorRef": "1"}}
            t0 = time.monotonic()
            try:
                status, reply = call(api, "POST", "/servers", body)
            except urllib.error.HTTPError as e:
                with lock:
                    errors.append("%d %s" % (e.code, e.read()[:300].decode(errors="replace")))
                continue
            except Exception as e:  # noqa: BLE001 - counted and shown
                with lock:
                    errors.append(str(e))
                continue
            t1 = time.monotonic()
            with lock:
                post_ms.append((t1 - t0) * 1000)
                if status == 202:
                    sent_at[reply["server"]["id"]] = t0

    active_at = {}
    stop = threading.Event()

    def poller():
        while not stop.is_set():
            try:
                listed = call(cloud.apis[-1], "GET", "/servers/detail?all_tenants=1&limit=100000&status=ACTIVE")[1]
                now = time.monotonic()
                for s in listed["servers"]:
                    active_at.setdefault(s["id"], now)
            except Exception:  # noqa: BLE001 - the next poll tries again
                pass
            stop.wait(0.1)

    cpu_before, idle_before = cpu_snapshot(cloud), machine_idle()
    start = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    watcher = threading.Thread(target=poller)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not set(sent_at) <= set(active_at):
        time.sleep(0.1)
    stop.set()
    watcher.join()
    cpu = cpu_used(cpu_before, cpu_snapshot(cloud))
    idle_after = machine_idle()
    idle = (idle_after[0] - idle_before[0]) / max(1, idle_after[1] - idle_before[1])
    done = [active_at[u] for u in sent_at if u in active_at]
    last = max(done) if done else time.monotonic()
    boots = [(active_at[u] - sent_at[u]) * 1000 for u in sent_at if u in active_at]
    for text in sorted(set(errors))[:3]:
        print("  POST refused: %s" % text, flush=True)
    return {"accepted": len(sent_at), "active": len(done), "errors": len(errors),
            "boot_per_s": len(done) / (last - start) if done else 0.0,
            "post_p50": pct(post_ms, 0.5), "post_p99": pct(post_ms, 0.99), "boot_p50": pct(boots, 0.5),
            "cpu": cpu, "idle": idle}


def fresh_pg_database(name):
    base, _, _ = args.pg_url.rpartition("/")
    subprocess.run([args.psql, "-X", "-q", args.pg_url, "-c", "SET client_min_messages = warning",
                    "-c", "DROP DATABASE IF EXISTS %s" % name], check=True)
    subprocess.run([args.psql, "-X", "-q", args.pg_url, "-c", "CREATE DATABASE %s" % name], check=True)
    return base + "/" + name


def commits(database):
    out = subprocess.run([args.psql, "-X", "-q", "-t", "-A", args.pg_url, "-c",
                          "SELECT xact_commit FROM pg_stat_database WHERE datname = '%s'" % database],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip() or 0)


def main():
    known = {"sqlite-1": (1, None), "pg-1": (1, "bench_pg1"), "pg-2": (2, "bench_pg2")}
    binaries = ([("base ", args.baseline, [])] if args.baseline else []) + [("", args.stratus, args.settings)]
    configs = [(prefix + name, binary, settings) + known[name]
               for name in args.configs.split(",") for prefix, binary, settings in binaries]
    best, runs = {}, {}
    print("servers %d, clients %d, fake hosts %d, %d round(s), CPUs %d, load %s%s" % (
        args.servers, args.clients, args.hosts, args.rounds, os.cpu_count(),
        " ".join(open("/proc/loadavg").read().split()[:3]),
        ", settings %s" % " ".join(args.settings) if args.settings else ""), flush=True)
    for r in range(args.rounds):
        for name, binary, settings, controllers, db in configs:
            cloud = Cloud(name, controllers, fresh_pg_database(db) if db else None, binary, settings)
            try:
                before = commits(db) if db else None
                m = measure(cloud)
                # Transactions per server (heartbeats and reports included): each is at least a BEGIN, a
                # statement and a COMMIT, each a round trip to the server.
                m["tx_per_server"] = (commits(db) - before) / max(1, m["accepted"]) if db else float("nan")
            finally:
                cloud.stop()
            print("round %d %-13s boot/s %6.1f  POST p50 %6.1f ms  p99 %6.1f ms  boot p50 %7.1f ms  "
                  "accepted %d, active %d, errors %d, PostgreSQL transactions (xact_commit) per server %.0f" % (
                      r + 1, name, m["boot_per_s"], m["post_p50"], m["post_p99"], m["boot_p50"], m["accepted"],
                      m["active"], m["errors"], m["tx_per_server"]), flush=True)
            per = max(1, m["active"])
            print("        CPU ms per server: %s; machine idle %.0f%%" % (
                ", ".join("%s %.1f" % (k, v * 1000 / per) for k, v in m["cpu"].items() if k != "router"),
                100 * m["idle"]), flush=True)
            runs.setdefault(name, []).append(m)
            if name not in best or m["boot_per_s"] > best[name]["boot_per_s"]:
                best[name] = m
    print("best run of each (by boot/s); median boot/s and POST p50 over the runs")
    print("| config | boot/s | POST p50 ms | POST p99 ms | boot p50 ms | median boot/s | median POST p50 ms |")
    print("|---|---|---|---|---|---|---|")
    for name, _, _, _, _ in configs:
        m = best[name]
        print("| %s | %.1f | %.1f | %.1f | %.0f | %.1f | %.1f |" % (
            name, m["boot_per_s"], m["post_p50"], m["post_p99"], m["boot_p50"],
            pct([r["boot_per_s"] for r in runs[name]], 0.5), pct([r["post_p50"] for r in runs[name]], 0.5)))
    ratio = lambda a, b, k: best[a][k] / best[b][k] if a in best and b in best and best[b][k] else float("nan")  # noqa: E731
    for prefix, _, _ in binaries:
        who = prefix.strip() or "this build"
        print("%s: pg-2 / pg-1 boot/s: %.2fx (goal >= 1.6)" % (who, ratio(prefix + "pg-2", prefix + "pg-1", "boot_per_s")))
        print("%s: pg-1 / sqlite-1 boot/s: %.2fx (goal >= 0.8)" % (
            who, ratio(prefix + "pg-1", prefix + "sqlite-1", "boot_per_s")))
        print("%s: POST p50: pg-1 / sqlite-1 %.2fx, pg-2 / pg-1 %.2fx" % (
            who, ratio(prefix + "pg-1", prefix + "sqlite-1", "post_p50"),
            ratio(prefix + "pg-2", prefix + "pg-1", "post_p50")))
    if args.baseline:
        for name in args.configs.split(","):
            print("this build / base, %s boot/s: %.2fx" % (name, ratio(name, "base " + name, "boot_per_s")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
