"""A minimal Stratus RPC client, written from docs/rpc-protocol.md alone.

Uses Debian's python3-zmq and python3-msgpack (run with /usr/bin/python3).

    c = Client("tcp://127.0.0.1:5672", name="py")   # protocols=(1,) speaks protocol 1 only
    c.hello()   # offers protocols 1 and 2; the router's HELLO_ACK chooses (section 3.5)
    print(c.call("compute", "echo", [1, 2], server="host1"))
    c.cast("conductor", "build_instances", {...})
    c.close()
"""

import time
import uuid

import msgpack
import zmq

PROTOCOL = 1  # of control messages (HELLO, HEARTBEAT, BYE...), and of requests until HELLO_ACK says 2
PROTOCOL_V2 = 2  # requests and replies as one frame (section 3.5)
HELLO, HELLO_ACK, HEARTBEAT, CALL, CAST, FANOUT, REPLY, ERROR, RESET, BYE = range(1, 11)

# Section 5 of the protocol: code -> name.
CODES = {
    0: "ok", 1: "timeout", 2: "no_such_target", 3: "remote", 4: "unsupported_version",
    5: "no_such_method", 6: "bad_message", 7: "too_large", 8: "unavailable",
    9: "forbidden", 10: "internal", 11: "invalid_argument",
}


class RpcError(Exception):
    def __init__(self, code, type_name, message):
        super().__init__("%s (%s): %s" % (type_name, CODES.get(code, code), message))
        self.code = code
        self.type = type_name
        self.message = message


def _pack(v):
    return msgpack.packb(v, use_bin_type=True)


def _unpack(b):
    return msgpack.unpackb(b, raw=False, strict_map_key=False)


def _values(b):
    """Every msgpack value of a frame, in order (a protocol 2 body holds
    several back to back: header, request or status, args or result)."""
    u = msgpack.Unpacker(raw=False, strict_map_key=False)
    u.feed(b)
    return list(u)


def new_context(user_id="", project_id="", roles=(), extra=None, request_id=None):
    return [request_id or "req-" + str(uuid.uuid4()), user_id, project_id, list(roles), dict(extra or {})]


class Client:
    def __init__(self, address, name="python-client", context=None, protocols=(1, 2)):
        self.ctx = context or zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(address)
        self.name = name
        self.next_id = 1
        self.heartbeat_ms = 1000
        self.errors = []  # ERROR messages received (cast delivery failures)
        self.services = []
        self.protocols = list(protocols)
        self.protocol = 1  # what requests are sent in: 1 until a HELLO_ACK chooses 2

    def close(self):
        try:
            self.sock.send(_pack([PROTOCOL, BYE]), zmq.NOBLOCK)
        except zmq.ZMQError:
            pass
        self.sock.close()

    def send_raw(self, frames):
        self.sock.send_multipart(frames)

    def recv_raw(self, timeout_ms):
        if self.sock.poll(timeout_ms, zmq.POLLIN) == 0:
            return None
        return self.sock.recv_multipart()

    def _wait(self, want, timeout_ms):
        """Waits for a message satisfying want(header, frames); handles the rest."""
        deadline = time.monotonic() + timeout_ms / 1000.0
        for _ in range(100000):
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0:
                return None
            frames = self.recv_raw(left)
            if frames is None:
                return None
            try:
                header = _values(frames[0])[0]
            except (ValueError, IndexError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError):
                continue
            if not isinstance(header, list) or len(header) < 2 or header[0] not in (PROTOCOL, PROTOCOL_V2):
                continue
            kind = header[1]
            if want(header, frames):
                return header, frames
            if kind == RESET:
                # The router lost our registration (eviction or restart): say
                # HELLO again without waiting here, so that no reply is lost.
                self._send_hello()
                continue
            if kind == HELLO_ACK:
                self._acked(header)
                continue
            if kind == ERROR:
                self.errors.append(header)
        return None

    def _send_hello(self):
        hello = [PROTOCOL, HELLO, self.name, [list(s) for s in self.services]]
        if self.protocols != [1]:
            hello.append(self.protocols)  # field 4: the protocols we speak (absent: 1 only)
        self.send_raw([_pack(hello)])

    def _acked(self, header):
        self.heartbeat_ms = header[2]
        # Field 4: the protocol the router chose; a router without it speaks 1.
        chosen = header[4] if len(header) > 4 else 1
        self.protocol = chosen if chosen in self.protocols else 1

    def hello(self, services=(), timeout_ms=3000):
        self.services = list(services)
        self._send_hello()
        got = self._wait(lambda h, f: h[1] in (HELLO_ACK, ERROR) and (h[1] == HELLO_ACK or h[2] == 0), timeout_ms)
        if got is None:
            raise RpcError(8, "Unavailable", "no HELLO_ACK from the router")
        header, _ = got
        if header[1] == ERROR:
            raise RpcError(header[3], "Forbidden" if header[3] == 9 else "Error", header[4])
        self._acked(header)
        return header

    def heartbeat(self):
        self.send_raw([_pack([PROTOCOL, HEARTBEAT])])

    def _request(self, kind, topic, server, method, args, version, namespace, context, timeout_ms):
        msg_id = self.next_id
        self.next_id += 1
        header = [self.protocol, kind, msg_id, topic, server, timeout_ms if kind == CALL else 0]
        request = [method, namespace, version, context or new_context()]
        if self.protocol == PROTOCOL_V2:
            self.send_raw([_pack(header) + _pack(request) + _pack(args)])  # one frame
        else:
            self.send_raw([_pack(header), _pack(request), _pack(args)])
        return msg_id

    @staticmethod
    def reply_parts(frames):
        """(header, status, result or None) of a REPLY in either protocol."""
        if frames and frames[0][:1] and _values(frames[0])[0][0] == PROTOCOL_V2:
            values = _values(frames[0])
            return values[0], values[1], (values[2] if len(values) > 2 else None)
        return _unpack(frames[0]), _unpack(frames[1]), (_unpack(frames[2]) if len(frames) > 2 else None)

    def call(self, topic, method, args=None, server="", version="1.0", namespace="", context=None,
             timeout_ms=5000):
        msg_id = self._request(CALL, topic, server, method, args, version, namespace, context, timeout_ms)
        got = self._wait(lambda h, f: h[1] == REPLY and h[2] == msg_id, timeout_ms)
        if got is None:
            raise RpcError(1, "Timeout", "no reply to %s within %d ms" % (method, timeout_ms))
        _, frames = got
        _, status, result = self.reply_parts(frames)
        code, type_name, message = status[0], status[1], status[2]
        if code != 0:
            raise RpcError(code, type_name, message)
        return result

    def cast(self, topic, method, args=None, server="", version="1.0", namespace="", context=None):
        return self._request(CAST, topic, server, method, args, version, namespace, context, 0)

    def fanout(self, topic, method, args=None, version="1.0", namespace="", context=None):
        return self._request(FANOUT, topic, "", method, args, version, namespace, context, 0)

    def poll_errors(self, timeout_ms):
        """Collects ERROR messages (undeliverable casts) for up to timeout_ms."""
        self._wait(lambda h, f: False, timeout_ms)
        return self.errors
