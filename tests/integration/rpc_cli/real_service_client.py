#!/usr/bin/python3
"""A client of the real Stratus services, written from docs/rpc-protocol.md
(sections 3, 7 and 11) alone, with the protocol client stratus_rpc.py:

    real_service_client.py <router address> <compute host>

Calls scheduler.select_destinations at 1.0 with the documented arguments,
releases the claim, asks the compute host for its uptime, and checks that a
version above the server's is refused as section 7 says. Exits 0 if every
check passed.
"""

import os
import signal
import sys
import time
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.environ["STRATUS_RPC_PY_DIR"])
import stratus_rpc as rpc  # noqa: E402

signal.alarm(60)
failures = []


def check(what, cond, detail=""):
    print("%s %s %s" % ("ok  " if cond else "FAIL", what, detail), flush=True)
    if not cond:
        failures.append(what)


def flavor(memory_mb):
    # Flavor = [id, name, vcpus, memory_mb, root_gb, ephemeral_gb, swap_mb, rxtx_factor, is_public, extra_specs]
    return ["py-%d" % memory_mb, "py.%d" % memory_mb, 1, memory_mb, 1, 0, 0, 1.0, True, {}]


def request_spec(instance_uuid, memory_mb):
    image = ["img-py", "cirros", "qcow2", "bare", "", 0, 0, 0, {}]  # ImageMeta
    # RequestSpec = [instance_uuid, project_id, user_id, flavor, image, num_instances,
    #                availability_zone, scheduler_hints, instance_group, force_hosts, ignore_hosts]
    return [instance_uuid, "demo", "alice", flavor(memory_mb), image, 1, "", {}, None, [], []]


def main(address, host):
    c = rpc.Client(address, name="python-real-services")
    c.hello()
    ctx = rpc.new_context(user_id="alice", project_id="demo", roles=["admin"])

    # The host reports to the conductor, which tells the schedulers: retry a
    # bounded while until the scheduler has heard of it.
    vm = str(uuid.uuid4())
    selections, last = None, None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            selections = c.call("scheduler", "select_destinations", [request_spec(vm, 64), [vm], 0],
                                version="1.0", context=ctx)
            break
        except rpc.RpcError as e:
            last = e
            if e.type != "NoValidHost":
                break
            time.sleep(0.3)
    check("select_destinations 1.0 places the instance on the host",
          selections == [[[host, host], []]], "(got %r, last error %s)" % (selections, last))
    c.fanout("scheduler", "release", [vm], version="1.0", context=ctx)

    try:
        big = str(uuid.uuid4())
        c.call("scheduler", "select_destinations", [request_spec(big, 1 << 30), [big], 0])
        check("a request nobody can take is refused", False, "(no error)")
    except rpc.RpcError as e:
        check("a request nobody can take is refused NoValidHost", e.code == 3 and e.type == "NoValidHost",
              "(got %s %s: %s)" % (e.code, e.type, e.message))

    try:
        c.call("scheduler", "select_destinations", [request_spec(vm, 64), [vm], 0], version="1.1")
        check("select_destinations at 1.1 is refused", False, "(no error)")
    except rpc.RpcError as e:
        check("select_destinations at 1.1 is refused UnsupportedVersion",
              (e.code, e.type, e.message) == (4, "UnsupportedVersion",
                                              "method 'select_destinations' requested at version 1.1; "
                                              "this server serves up to 1.0"),
              "(got %s %s: %s)" % (e.code, e.type, e.message))

    uptime = c.call("compute", "get_host_uptime", [host], server=host, version="1.0", context=ctx)
    check("compute get_host_uptime 1.0 answers the uptime line", isinstance(uptime, str) and "load average" in uptime,
          repr(uptime))
    try:
        c.call("compute", "get_host_uptime", [host], server=host, version="1.5")
        check("get_host_uptime at 1.5 is refused", False, "(no error)")
    except rpc.RpcError as e:
        check("get_host_uptime at 1.5 is refused: the host serves up to 1.4",
              e.code == 4 and e.message.endswith("this server serves up to 1.4"),
              "(got %s %s: %s)" % (e.code, e.type, e.message))
    try:
        c.call("compute", "get_host_uptime", "not an array", server=host)
        check("args that do not decode are refused", False, "(no error)")
    except rpc.RpcError as e:
        check("args that do not decode are refused bad_message", e.code == 6, "(got %s %s)" % (e.code, e.type))
    c.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
