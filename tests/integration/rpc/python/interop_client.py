#!/usr/bin/python3
"""Interoperability check: this Python client (from docs/rpc-protocol.md) against
C++ servers behind the C++ router. Run by tests/integration/rpc/interop_test.cpp:

    interop_client.py <router address>

The C++ side serves topic "compute" on host1 and host2 with the methods of
tests/unit/rpc/rpc_test_util.h (version 1.3). Exits 0 if every check passed.
"""

import os
import signal
import sys
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stratus_rpc as rpc  # noqa: E402

signal.alarm(30)  # a hard bound on the whole run

failures = []


def check(what, cond, detail=""):
    print("%s %s %s" % ("ok  " if cond else "FAIL", what, detail), flush=True)
    if not cond:
        failures.append(what)


def expect_error(what, fn, code, type_name=None):
    try:
        fn()
    except rpc.RpcError as e:
        check(what, e.code == code and (type_name is None or e.type == type_name),
              "(got %s %s: %s)" % (e.code, e.type, e.message))
        return
    check(what, False, "(no error)")


def main(address):
    c = rpc.Client(address, name="python-interop")
    ack = c.hello()
    check("hello is acknowledged", ack[1] == rpc.HELLO_ACK and ack[2] > 0, str(ack))

    value = [1, "two", {"three": 3.5}, None, True, b"\x00\xff"]
    check("call echo returns its args", c.call("compute", "echo", value, server="host1") == value)
    check("topic.server reaches that server", c.call("compute", "whoami", server="host2") == "compute-2")
    seen = sorted(c.call("compute", "whoami") for _ in range(4))
    check("topic calls are round robin", seen == ["compute-1", "compute-1", "compute-2", "compute-2"], str(seen))

    ctx = rpc.new_context(user_id="alice", project_id="demo", roles=["member"], extra={"k": "v"})
    got = c.call("compute", "context", None, context=ctx)
    check("context reaches the method", got == ctx, str(got))

    expect_error("remote error carries type and message",
                 lambda: c.call("compute", "fail"), 3, "InstanceNotFound")
    t0 = time.monotonic()
    expect_error("no such target comes back at once",
                 lambda: c.call("compute", "echo", server="host9", timeout_ms=5000), 2, "NoSuchTarget")
    check("no such target is fast", time.monotonic() - t0 < 1.0)
    expect_error("unknown method", lambda: c.call("compute", "nope"), 5, "NoSuchMethod")
    expect_error("version above the server's", lambda: c.call("compute", "echo", version="1.9"), 4,
                 "UnsupportedVersion")
    check("version within the server's", c.call("compute", "echo", 5, version="1.2") == 5)

    for _ in range(5):
        c.cast("compute", "count")
    c.fanout("compute", "count")
    c.cast("nobody", "count")
    errors = c.poll_errors(300)
    check("undeliverable cast is reported", any(e[3] == 2 for e in errors), str(errors))

    c.send_raw([b"\xc1 not msgpack"])
    got = c._wait(lambda h, f: h[1] == rpc.ERROR and h[3] == 6, 1000)
    check("malformed header is answered with bad_message", got is not None)

    c.heartbeat()
    check("still works after bad input", c.call("compute", "echo", 1) == 1)
    # Tell the C++ side the casts were sent: it counts 5 casts + 2 fanout copies.
    check("final call", c.call("compute", "echo", "done", server="host1") == "done")
    c.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
