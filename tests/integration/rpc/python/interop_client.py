#!/usr/bin/python3
"""Interoperability check: this Python client (from docs/rpc-protocol.md) against
C++ servers behind the C++ router. Run by tests/integration/rpc/interop_test.cpp:

    interop_client.py <router address> [1|2]

The C++ side serves topic "compute" on host1 and host2 with the methods of
tests/unit/rpc/rpc_test_util.h (version 1.3), and topic "legacy" on host "old"
with an endpoint that speaks only protocol 1. The second argument is the
newest protocol this client offers (default 2). Exits 0 if every check passed.
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


def raw_call(c, header_tail, extra_frames=(), method="echo", args=1, server="host1", msg_id=None):
    """Sends a CALL whose header is [1, 4, msg_id, "compute", server, 3000] + header_tail."""
    msg_id = msg_id if msg_id is not None else c.next_id
    c.next_id = max(c.next_id, msg_id) + 1
    header = [rpc.PROTOCOL, rpc.CALL, msg_id, "compute", server, 3000] + list(header_tail)
    frames = [rpc._pack(header), rpc._pack([method, "", "1.0", rpc.new_context()]), rpc._pack(args)]
    c.send_raw(frames + list(extra_frames))
    return msg_id


def protocol_edges(c):
    """Each statement of docs/rpc-protocol.md sections 1, 3, 4.1, 4.2 and 4.6
    that a client would otherwise learn by trial."""
    # Success is exactly [0, "", ""] followed by the result.
    msg_id = raw_call(c, [])
    got = c._wait(lambda h, f: h[1] == rpc.REPLY and h[2] == msg_id, 3000)
    check("a success status is [0, \"\", \"\"]", got is not None and rpc._unpack(got[1][1]) == [0, "", ""],
          str(got and rpc._unpack(got[1][1])))
    check("a REPLY's header is exactly [1, 7, msg_id]", got is not None and got[0] == [1, rpc.REPLY, msg_id],
          str(got and got[0]))

    # More than 8 frames: a CALL gets REPLY [6, "BadMessage", "too many frames"].
    msg_id = raw_call(c, [], extra_frames=[b"x"] * 6)  # 9 frames
    got = c._wait(lambda h, f: h[1] == rpc.REPLY and h[2] == msg_id, 3000)
    check("a CALL of 9 frames is answered BadMessage",
          got is not None and rpc._unpack(got[1][1]) == [6, "BadMessage", "too many frames"],
          str(got and rpc._unpack(got[1][1])))
    msg_id = raw_call(c, [], extra_frames=[b"x"] * 5)  # 8 frames: accepted
    got = c._wait(lambda h, f: h[1] == rpc.REPLY and h[2] == msg_id, 3000)
    check("a CALL of 8 frames is served", got is not None and rpc._unpack(got[1][1])[0] == 0,
          str(got and rpc._unpack(got[1][1])))
    cast_id = c.next_id
    c.next_id += 1
    c.send_raw([rpc._pack([rpc.PROTOCOL, rpc.CAST, cast_id, "compute", "host1", 0]),
                rpc._pack(["echo", "", "1.0", rpc.new_context()]), rpc._pack(1)] + [b"x"] * 6)
    got = c._wait(lambda h, f: h[1] == rpc.ERROR and h[2] == cast_id, 3000)
    check("a CAST of 9 frames gets ERROR [1, 8, msg_id, 6, ...]",
          got is not None and got[0][3] == 6 and got[0][4] == "too many frames", str(got and got[0]))

    # The router rebuilds the header: index 6 is overwritten with our routing
    # id (the reply still reaches us), index 7 and later are dropped.
    msg_id = raw_call(c, [b"not-my-id", "appended"])
    got = c._wait(lambda h, f: h[1] == rpc.REPLY and h[2] == msg_id, 3000)
    check("fields appended to a CALL header do not divert its reply", got is not None)
    # ... and a non-string at index 6 makes the whole header malformed: ERROR
    # with msg_id 0 although msg_id (index 2) was readable.
    msg_id = raw_call(c, [42])
    got = c._wait(lambda h, f: h[1] == rpc.ERROR and h[3] == 6, 3000)
    check("an undecodable header is answered ERROR with msg_id 0", got is not None and got[0][2] == 0,
          "(sent msg_id %d; got %s)" % (msg_id, got and got[0]))

    # HELLO with an empty topic: ERROR [1, 8, 0, 6, "service topic must not be empty"].
    c.send_raw([rpc._pack([rpc.PROTOCOL, rpc.HELLO, "bad-hello", [["", "h"]]])])
    got = c._wait(lambda h, f: h[1] == rpc.ERROR and h[2] == 0, 3000)
    check("a HELLO with an empty topic is refused",
          got is not None and got[0][3:] == [6, "service topic must not be empty"], str(got and got[0]))

    # A REPLY to no call in flight is dropped: nothing comes back to anyone.
    c.send_raw([rpc._pack([rpc.PROTOCOL, rpc.REPLY, 424242, b"\x00nobody"]), rpc._pack([0, "", ""]),
                rpc._pack("forged")])
    got = c._wait(lambda h, f: h[1] == rpc.ERROR or (len(h) > 2 and h[2] == 424242), 500)
    check("a REPLY to an unknown reply_to is dropped silently", got is None, str(got))


def protocol_2_edges(c):
    """Section 3.5: one-frame bodies, translation for a protocol 1 server, and
    malformed bodies answered BadMessage."""
    check("calls through the router to a protocol 1 server",
          c.call("legacy", "echo", [1, "x"], server="old") == [1, "x"])
    expect_error("a remote error from a protocol 1 server", lambda: c.call("legacy", "fail", server="old"), 3,
                 "InstanceNotFound")

    def body_call(tail, server="host1"):
        msg_id = c.next_id
        c.next_id += 1
        c.send_raw([rpc._pack([rpc.PROTOCOL_V2, rpc.CALL, msg_id, "compute" if server != "old" else "legacy",
                               server, 3000]) + tail])
        got = c._wait(lambda h, f: h[1] == rpc.REPLY and h[2] == msg_id, 3000)
        return got and rpc.Client.reply_parts(got[1])

    request = rpc._pack(["echo", "", "1.0", rpc.new_context()])
    got = body_call(request + rpc._pack("one frame"))
    check("a hand-made one-frame CALL is served; the REPLY is one frame [2, 7, id] + status + result",
          got is not None and got[0][:2] == [rpc.PROTOCOL_V2, rpc.REPLY] and got[1] == [0, "", ""]
          and got[2] == "one frame", str(got))
    for server in ("host1", "old"):
        got = body_call(request, server)  # no args
        check("a body without args is answered BadMessage (%s)" % server,
              got is not None and got[1][0] == 6, str(got))
        got = body_call(b"\xc1", server)  # not msgpack after the header
        check("a body with bad bytes after the header is answered BadMessage (%s)" % server,
              got is not None and got[1][0] == 6, str(got))
    # A protocol 2 HEARTBEAT is refused: control messages are always protocol 1.
    c.send_raw([rpc._pack([rpc.PROTOCOL_V2, rpc.HEARTBEAT])])
    got = c._wait(lambda h, f: h[1] == rpc.ERROR and h[3] == 6, 3000)
    check("a protocol 2 control message is answered ERROR bad_message", got is not None, str(got and got[0]))


def main(address, offer):
    c = rpc.Client(address, name="python-interop", protocols=range(1, offer + 1))
    ack = c.hello()
    check("hello is acknowledged", ack[1] == rpc.HELLO_ACK and ack[2] > 0, str(ack))
    check("the router chooses protocol %d" % offer, c.protocol == offer and (offer == 1) == (len(ack) == 4),
          str(ack))

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

    protocol_edges(c)
    if offer >= 2:
        protocol_2_edges(c)
    else:
        check("calls through the router to a protocol 1 server",
              c.call("legacy", "echo", [1, "x"], server="old") == [1, "x"])

    c.heartbeat()
    check("still works after bad input", c.call("compute", "echo", 1) == 1)
    # Tell the C++ side the casts were sent: it counts 5 casts + 2 fanout copies.
    check("final call", c.call("compute", "echo", "done", server="host1") == "done")
    c.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2))
