"""Hostile HTTP at a running `stratus aio`; run by hostile_http_test.sh with
/usr/bin/python3:  hostile_http.py ROOT_URL CLOUDS_YAML DB_PATH AIO_PID

Part 1, malformed requests over raw sockets (deep nesting, huge strings,
invalid UTF-8, NUL bytes, wrong Content-Length, slow partial requests, path
tricks, unknown methods, bad microversion headers, bad tokens). Each must get
no 5xx (a closed connection is an answer too for what is not HTTP), within a
bound; the server stays up and keeps serving others; and the database is
the same after every rejected request as before (each table's rows,
checksummed; the tables the services' heartbeats and reports rewrite on their
own are left out).

Part 2, hostile names and metadata (XML, shell and JSON metacharacters,
newlines, long values, unicode) read back equal through the API: server name
and description, metadata, tags, key pair names, flavor names.
Exits non-zero after printing every check that failed."""
import hashlib
import json
import re
import os
import socket
import sqlite3
import sys
import time
import urllib.parse

import yaml

root, clouds_file, db_path, aio_pid = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
admin = yaml.safe_load(open(clouds_file))["clouds"]["stratus"]["auth"]
parsed = urllib.parse.urlsplit(root)
host, port = parsed.hostname, parsed.port
failures = []
IMAGE = "155d900f-4e14-4e4c-a73d-069cbf4541e6"
# Rewritten by the services on their own schedule (heartbeats, resource
# reports, the scheduler's view of hosts, the conductor's renewal of its
# periodic-task lease), not by requests.
VOLATILE_TABLES = {"services", "service_versions", "compute_nodes", "sqlite_sequence", "resource_providers", "inventories",
                   "periodic_leases"}


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else "  (%s)" % (detail,)))
    if not ok:
        failures.append(what)


def db_snapshot():
    """{table: (rows, sha256 of the sorted rows)} of every table but the volatile ones."""
    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=10)
    try:
        out = {}
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for t in sorted(set(tables) - VOLATILE_TABLES):
            rows = sorted(repr(r) for r in con.execute('SELECT * FROM "%s"' % t))
            out[t] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out
    finally:
        con.close()


def raw_exchange(data, timeout=15.0, chunks=None, delay=0.0):
    """Sends `data` (or `chunks` with `delay` between them), half-closes only
    when asked by the caller's data, and reads until the server closes or
    `timeout`. Returns (status or None, reply bytes, seconds taken)."""
    started = time.monotonic()
    s = socket.create_connection((host, port), timeout=timeout)
    reply = b""
    try:
        for piece in (chunks or [data]):
            s.sendall(piece)
            if delay:
                time.sleep(delay)
        s.settimeout(max(0.1, timeout - (time.monotonic() - started)))
        while time.monotonic() - started < timeout:
            got = s.recv(65536)
            if not got:
                break
            reply += got
            if complete(reply):
                break
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    status = None
    if reply.startswith(b"HTTP/1."):
        try:
            status = int(reply.split(b" ", 2)[1])
        except ValueError:
            pass
    return status, reply, time.monotonic() - started


def complete(reply):
    """True once `reply` holds a whole response (headers and Content-Length bytes)."""
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(body) >= int(value.strip())
            except ValueError:
                return True
    return True


def request_bytes(method, path, body=b"", headers=None, length=None):
    h = {"Host": "%s:%d" % (host, port), "X-Auth-Token": token, "Content-Type": "application/json"}
    h.update(headers or {})
    lines = ["%s %s HTTP/1.1" % (method, path)] + ["%s: %s" % kv for kv in h.items() if kv[1] is not None]
    if body or length is not None:
        lines.append("Content-Length: %s" % (len(body) if length is None else length))
    return "\r\n".join(lines).encode("latin-1", "surrogateescape") + b"\r\n\r\n" + body


def call(method, path, body=None, headers=None, version=None):
    """A well-formed JSON request; returns (status, parsed body or raw bytes, reply headers)."""
    h = dict(headers or {})
    if version:
        h["OpenStack-API-Version"] = "compute " + version
    data = json.dumps(body).encode() if body is not None else b""
    status, reply, _ = raw_exchange(request_bytes(method, path, data, h), timeout=30)
    head, _, payload = reply.partition(b"\r\n\r\n")
    heads = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.decode("latin-1").partition(":")
        heads[k.strip().lower()] = v.strip()
    try:
        return status, json.loads(payload) if payload else None, heads
    except ValueError:
        return status, payload, heads


def alive():
    try:
        os.kill(aio_pid, 0)
    except OSError:
        return False
    status, _, _ = raw_exchange(request_bytes("GET", "/v2.1/flavors"), timeout=10)
    return status == 200


# Log in with the password of clouds.yaml.
login = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": admin["username"], "domain": {"id": "default"}, "password": admin["password"]}}},
    "scope": {"project": {"name": admin["project_name"], "domain": {"id": "default"}}}}}
token = ""
status, _, heads = call("POST", "/identity/v3/auth/tokens", login)
token = heads.get("x-subject-token", "")
check("the admin logs in", status == 201 and token, status)

# A server to aim actions and metadata at (rejected requests must not touch it).
status, body, _ = call("POST", "/v2.1/servers", {"server": {"name": "target", "imageRef": IMAGE, "flavorRef": "1",
                                                            "networks": "none"}}, version="2.37")
check("a target server is created", status == 202, (status, body))
server = body["server"]["id"] if status == 202 else "00000000-0000-0000-0000-000000000000"
for _ in range(150):
    status, body, _ = call("GET", "/v2.1/servers/" + server)
    if status == 200 and body["server"]["status"] in ("ACTIVE", "ERROR"):
        break
    time.sleep(0.2)
check("and becomes ACTIVE", status == 200 and body["server"]["status"] == "ACTIVE", body)
time.sleep(1)  # the build's last writes (actions, events) settle before the snapshot

# ---------------------------------------------------------------------------
# Part 1: malformed requests. Each case: (label, bytes, bound in seconds).
BIG = 1 << 20  # the API's JSON body limit (ApiServerOptions::max_body_bytes)


def create_body(name):
    return ('{"server": {"name": %s, "imageRef": "%s", "flavorRef": "1", "networks": "none"}}'
            % (name, IMAGE)).encode()


deep = 200000
cases = [
    ("deep nesting of arrays (200000)", request_bytes("POST", "/v2.1/servers", b"[" * deep + b"]" * deep)),
    ("deep nesting of objects (100000)", request_bytes("POST", "/v2.1/servers", b'{"a":' * 100000 + b"1" + b"}" * 100000)),
    ("deep nesting inside a valid create (metadata value)", request_bytes("POST", "/v2.1/servers", (
        '{"server": {"name": "n", "imageRef": "%s", "flavorRef": "1", "networks": "none", "metadata": {"k": '
        % IMAGE).encode() + b"[" * 100000 + b"]" * 100000 + b"}}}")),
    ("deep nesting in a server action", request_bytes("POST", "/v2.1/servers/%s/action" % server,
                                                      b'{"reboot": ' + b"[" * 100000 + b"]" * 100000 + b"}")),
    ("deep nesting in metadata", request_bytes("PUT", "/v2.1/servers/%s/metadata" % server,
                                               b'{"metadata": ' + b'{"a":' * 50000 + b'"x"' + b"}" * 50000 + b"}")),
    ("deep nesting at the identity API", request_bytes("POST", "/identity/v3/auth/tokens",
                                                       b'{"auth": ' + b"[" * 100000 + b"]" * 100000 + b"}")),
    ("deep nesting in an image create", request_bytes("POST", "/image/v2/images", b"[" * 100000 + b"]" * 100000)),
    ("a server name of 1000000 characters", request_bytes("POST", "/v2.1/servers",
                                                          create_body(json.dumps("n" * 1000000)))),
    ("a body over the limit", request_bytes("POST", "/v2.1/servers", create_body(json.dumps("n" * (BIG + 10))))),
    ("a metadata key of 100000 characters", request_bytes("PUT", "/v2.1/servers/%s/metadata" % server,
                                                          json.dumps({"metadata": {"k" * 100000: "v"}}).encode())),
    ("100000 metadata items", request_bytes("PUT", "/v2.1/servers/%s/metadata" % server, json.dumps(
        {"metadata": {"k%d" % i: "v" for i in range(100000)}}).encode())),
    ("invalid UTF-8 in a JSON string", request_bytes("POST", "/v2.1/servers", b'{"server": {"name": "bad \xff\xfe name", "imageRef": "' + IMAGE.encode() + b'", "flavorRef": "1", "networks": "none"}}')),
    ("an overlong UTF-8 '<' in a name", request_bytes("POST", "/v2.1/servers", b'{"server": {"name": "\xc0\xbc", "imageRef": "' + IMAGE.encode() + b'", "flavorRef": "1", "networks": "none"}}')),
    ("a lone surrogate escape in a name", request_bytes("POST", "/v2.1/servers", create_body('"\\ud800x"'))),
    ("a NUL escape in a name", request_bytes("POST", "/v2.1/servers", create_body('"a\\u0000b"'))),
    ("a raw NUL byte in the body", request_bytes("POST", "/v2.1/servers", create_body('"a\x00b"'))),
    ("a NUL byte in the path", request_bytes("GET", "/v2.1/servers/\x00/x")),
    ("a NUL byte in a header", request_bytes("GET", "/v2.1/servers", headers={"X-Auth-Token": token + "\x00x"})),
    ("invalid UTF-8 in the path", request_bytes("GET", "/v2.1/servers/%ff%fe%00")),
    ("invalid UTF-8 in a query", request_bytes("GET", "/v2.1/servers/detail?name=%ff%c0&limit=%ff")),
    ("not JSON at all", request_bytes("POST", "/v2.1/servers", b"\x00\x01\x02 not json")),
    ("JSON of the wrong types", request_bytes("POST", "/v2.1/servers", b'{"server": {"name": ["x"], "imageRef": 5, "flavorRef": {"a": 1}, "min_count": "many", "max_count": 1e309}}')),
    ("a huge number", request_bytes("POST", "/v2.1/servers", b'{"server": {"name": "n", "imageRef": "' + IMAGE.encode() + b'", "flavorRef": "1", "networks": "none", "min_count": 1' + b"0" * 400 + b"}}")),
    ("an action body that is a string", request_bytes("POST", "/v2.1/servers/%s/action" % server, b'"reboot"')),
    ("an action with two actions", request_bytes("POST", "/v2.1/servers/%s/action" % server, b'{"os-stop": null, "reboot": {"type": "HARD"}}')),
    ("Content-Length shorter than the body", request_bytes("POST", "/v2.1/servers", create_body('"short"'), length=10)),
    ("Content-Length longer than the body", request_bytes("POST", "/v2.1/servers", create_body('"long"'), length=100000)),
    ("Content-Length not a number", request_bytes("POST", "/v2.1/servers", create_body('"nan"'), length="abc")),
    ("Content-Length negative", request_bytes("POST", "/v2.1/servers", create_body('"neg"'), length=-1)),
    ("Content-Length of 2^64", request_bytes("POST", "/v2.1/servers", create_body('"big"'), length=str(1 << 64))),
    ("Content-Length with a sign", request_bytes("POST", "/v2.1/servers", create_body('"plus"'), length="+5")),
    ("two different Content-Lengths", request_bytes("POST", "/v2.1/servers", create_body('"two"'), headers={"Content-Length": "3"})),
    ("chunked and Content-Length together", request_bytes("POST", "/v2.1/servers", b"5\r\n{\"a\":\r\n0\r\n\r\n", headers={"Transfer-Encoding": "chunked"}, length=5)),
    ("a broken chunked body", request_bytes("POST", "/v2.1/servers", b"zz\r\nabc\r\n", headers={"Transfer-Encoding": "chunked"})),
    ("an image upload with a non-numeric Content-Length", request_bytes("PUT", "/image/v2/images/%s/file" % IMAGE, b"data", headers={"Content-Type": "application/octet-stream"}, length="12x")),
    ("path with ../", request_bytes("GET", "/v2.1/../v2.1/servers/../../etc/passwd")),
    ("path with %2e%2e", request_bytes("GET", "/v2.1/servers/%2e%2e/%2e%2e/%2e%2e/etc/passwd")),
    ("path with double slashes", request_bytes("DELETE", "//v2.1//servers//" + server)),
    ("an action path with a trailing dot segment", request_bytes("POST", "/v2.1/servers/%s/action/." % server, b'{"os-stop": null}')),
    ("an overlong path (9000)", request_bytes("GET", "/v2.1/servers/" + "a" * 9000)),
    ("an overlong path (100000)", request_bytes("GET", "/v2.1/" + "a/" * 50000)),
    ("an overlong header (100000)", request_bytes("GET", "/v2.1/servers", headers={"X-Long": "h" * 100000})),
    ("10000 headers", request_bytes("GET", "/v2.1/servers", headers={"X-H%d" % i: "v" for i in range(10000)})),
    ("unknown method FOO", request_bytes("FOO", "/v2.1/servers")),
    ("method TRACE", request_bytes("TRACE", "/v2.1/servers")),
    ("method CONNECT", request_bytes("CONNECT", "%s:%d" % (host, port))),
    ("method PROPFIND", request_bytes("PROPFIND", "/v2.1/servers")),
    ("a lowercase method", request_bytes("post", "/v2.1/servers", create_body('"lower"'))),
    ("no HTTP version", b"GET /v2.1/servers\r\n\r\n"),
    ("HTTP/9.9", b"GET /v2.1/servers HTTP/9.9\r\nHost: x\r\n\r\n"),
    ("garbage instead of a request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(200) + b"\r\n\r\n"),
    ("a request line of spaces", b"     \r\n\r\n"),
    ("a header without a colon", b"GET /v2.1/servers HTTP/1.1\r\nHost x\r\nNoColon\r\n\r\n"),
    ("an absolute URI", request_bytes("GET", "http://evil.example/v2.1/servers")),
]
for v in ["compute 2.999", "compute abc", "compute 2.", "compute .1", "compute 2.1.1", "compute -2.1",
          "compute 99999999999999999999.1", "compute 2.99999999999999999999", "compute 2.1, compute 2.2",
          "compute latest latest", "compute", "compute \xff\xfe", "compute 2.1" + " " * 5000, "volume 3.0",
          "compute 0.0", "compute 2.-1", "compute 02.001"]:
    cases.append(("microversion %r" % v[:40], request_bytes("GET", "/v2.1/servers", headers={"OpenStack-API-Version": v})))
    cases.append(("legacy microversion %r" % v[:40], request_bytes(
        "POST", "/v2.1/servers/%s/action" % server, b'{"os-stop": "bad"}',
        headers={"X-OpenStack-Nova-API-Version": v.replace("compute ", "")})))
for t in ["", "x" * 8000, "\xff\xfe", "a b c", "gAAAAA" + "=" * 100, "-rf /", "'; DROP TABLE instances; --",
          token + token, token[:-2]]:
    cases.append(("token %r" % t[:16], request_bytes("DELETE", "/v2.1/servers/" + server, headers={"X-Auth-Token": t})))
    cases.append(("token %r at the image API" % t[:16], request_bytes("DELETE", "/image/v2/images/" + IMAGE, headers={"X-Auth-Token": t})))
cases.append(("a subject token that is garbage", request_bytes("DELETE", "/identity/v3/auth/tokens", headers={"X-Subject-Token": "\xff" * 300})))

before = db_snapshot()
for label, data, *bound in cases:
    limit = bound[0] if bound else 20.0
    status, reply, took = raw_exchange(data, timeout=limit + 5)
    ok = (status is None or status < 500) and took <= limit
    check("%s: %s in %.1fs" % (label, status if status is not None else "closed", took), ok,
          reply[:200] if status is not None and status >= 500 else "over %ss" % limit)
    if not alive():
        check("the server still serves after: " + label, False, "no reply")
        break
    if status is not None and status < 400:
        time.sleep(3)  # an accepted action finishes on the compute host: let it settle first
    now = db_snapshot()
    changed = sorted(t for t in set(before) | set(now) if before.get(t) != now.get(t))
    if status is None or status >= 400:
        check("the database is unchanged by the refused: " + label, not changed, changed)
    before = now

# Slow partial requests (slowloris): more slow connections than the server
# has threads; each sends a byte of its head every second. The server must
# drop them (ApiServerOptions::request_head_time, 10 s from when a worker
# takes the connection, so the queued ones go by 20 s) and serve others.
slow = []
for i in range(12):
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(b"GET /v2.1/servers HTTP/1.1\r\n")
    slow.append(s)
started = time.monotonic()
served_at = None
dropped = set()
payload = b"X-Slow: " + b"a" * 60
step = 0
while time.monotonic() - started < 35 and len(dropped) < len(slow):
    for i, s in enumerate(slow):
        if i in dropped:
            continue
        try:
            s.sendall(payload[step % len(payload):step % len(payload) + 1])
        except OSError:
            dropped.add(i)
    step += 1
    if served_at is None:
        status, _, took = raw_exchange(request_bytes("GET", "/v2.1/flavors"), timeout=1.0)
        if status == 200:
            served_at = time.monotonic() - started
    # A dropped connection reads as end of stream (or a reset).
    for i, s in enumerate(slow):
        if i in dropped:
            continue
        s.setblocking(False)
        try:
            if s.recv(4096) == b"":
                dropped.add(i)
        except BlockingIOError:
            pass
        except OSError:
            dropped.add(i)
        s.setblocking(True)
    time.sleep(0.5)
for s in slow:
    s.close()
took = time.monotonic() - started
check("slow partial requests: all %d dropped by the server (%d) within 35 s" % (len(slow), len(dropped)),
      len(dropped) == len(slow), "%d of %d dropped after %.1fs" % (len(dropped), len(slow), took))
check("and a normal request was served meanwhile (after %s s)" % (None if served_at is None else round(served_at, 1)),
      served_at is not None and served_at < 15, served_at)
# A slow body: the head at once, then a byte a second; the server must give
# up on it (body_min_rate after a 10 s grace) and close.
s = socket.create_connection((host, port), timeout=30)
s.sendall(request_bytes("POST", "/v2.1/servers", b"", length=1000))
started = time.monotonic()
cut_at = None
while time.monotonic() - started < 25 and cut_at is None:
    try:
        s.sendall(b"{")
        s.setblocking(False)
        try:
            got = s.recv(4096)
            if got == b"" or got.startswith(b"HTTP/1.1 4"):
                cut_at = time.monotonic() - started
        except BlockingIOError:
            pass
        s.setblocking(True)
    except OSError:
        cut_at = time.monotonic() - started
    time.sleep(1.0)
s.close()
check("a slow body is cut off (after %s s)" % (None if cut_at is None else round(cut_at, 1)),
      cut_at is not None and cut_at < 16, cut_at)
check("the server still serves after the slow clients", alive())
now = db_snapshot()
check("the database is unchanged by the slow clients", now == before,
      sorted(t for t in set(before) | set(now) if before.get(t) != now.get(t)))

# A client's regular expression (the name filter is one, as in Nova) is
# matched in bounded time: a catastrophic pattern against a run of 'a's.
status, body, _ = call("POST", "/v2.1/servers", {"server": {"name": "a" * 60, "imageRef": IMAGE, "flavorRef": "1",
                                                            "networks": "none"}})
check("a server named with 60 'a's is created", status == 202, (status, body))
for pattern in ["(a*)*b", "(a|aa)+c", "(a)\\1", "((a{100}){100}){100}"]:
    status, reply, took = raw_exchange(request_bytes("GET", "/v2.1/servers?name=" + urllib.parse.quote(pattern)), 10)
    check("?name=%s answers %s within 10 s (%.1fs)" % (pattern, status, took), status in (200, 400) and took < 10,
          reply[:200])
check("the server still serves after the patterns", alive())
status, body, _ = call("GET", "/v2.1/servers?name=^aaaa")
for listed in (body or {}).get("servers", []) if status == 200 else []:
    call("DELETE", "/v2.1/servers/" + listed["id"])

# ---------------------------------------------------------------------------
# Part 2: hostile names and metadata read back equal.
hostile = [
    "a'<b>&\"",
    "</name></stratus:instance></metadata><devices/><name>x",
    "]]><!-- --><?pi?>&amp;&#x41;<![CDATA[x]]>",
    "$(touch /tmp/pwned) `id` ; rm -rf / | cat && echo ${HOME} > x < y",
    "{\"json\": [1, 2]}\\u0000\\\"",
    "line one\nline two\ttab\r\nwindows",
    "\u00fcn\u00efc\u00f8d\u00e9 \u2603 \U0001F680 \u202e\u0645\u0631\u062d\u0628\u0627",
    "%s %n %x %p {0} {{}} \\x41",
    "../../../etc/passwd",
    "x" * 255,
]
def has_control(text):
    return any(ord(c) < 0x20 or ord(c) == 0x7f for c in text)


for i, value in enumerate(hostile):
    label = repr(value[:24])
    status, body, _ = call("POST", "/v2.1/servers", {"server": {
        "name": value, "description": value, "imageRef": IMAGE, "flavorRef": "1", "networks": "none",
        "metadata": {("k%d" % i): value[:255]}}}, version="2.19")
    if has_control(value):
        # Nova's name and description patterns forbid control characters.
        check("a server named %s (control characters) is refused with a 400" % label, status == 400, (status, body))
        status, body, _ = call("POST", "/v2.1/servers", {"server": {
            "name": "ctl", "imageRef": IMAGE, "flavorRef": "1", "networks": "none",
            "metadata": {("k%d" % i): value[:255]}}}, version="2.19")
    if status != 202:
        check("a server with name and metadata %s is created" % label, False, (status, body))
        continue
    uuid = body["server"]["id"]
    name = "ctl" if has_control(value) else value
    for _ in range(100):
        status, body, _ = call("GET", "/v2.1/servers/" + uuid, version="2.26")
        if status != 200 or body["server"]["status"] != "BUILD":
            break
        time.sleep(0.2)
    got = body["server"] if status == 200 else {}
    check("server name %s reads back equal" % label, got.get("name") == name, got.get("name"))
    if name == value:
        check("server description %s reads back equal" % label, got.get("description") == value, got.get("description"))
    check("metadata %s reads back equal" % label, got.get("metadata") == {("k%d" % i): value[:255]}, got.get("metadata"))
    status, body, _ = call("PUT", "/v2.1/servers/%s/metadata/%s" % (uuid, urllib.parse.quote(value[:255], safe="")),
                           {"meta": {value[:255]: "v"}})
    check("metadata key %s is stored equal or refused with a 400 (404: a '/' in the path)" % label, status in (400, 404) or (
        status == 200 and body["meta"] == {value[:255]: "v"}), (status, body))
    # The name filter is a regular expression (as in Nova): the prefix is escaped.
    status, body, _ = call("GET", "/v2.1/servers/detail?name=%s" % urllib.parse.quote(re.escape(name[:3])), version="2.26")
    check("the detail list carries name %s equal" % label, status == 200 and any(
        s_["name"] == name for s_ in body["servers"]), status)
    tag = value[:60]
    status, body, _ = call("PUT", "/v2.1/servers/%s/tags" % uuid, {"tags": [tag]}, version="2.26")
    if status == 200:
        status, body, _ = call("GET", "/v2.1/servers/%s/tags" % uuid, version="2.26")
        check("tag %s reads back equal" % label, status == 200 and body["tags"] == [tag], body)
    else:
        # Nova's tag pattern forbids ',' and '/'.
        check("tag %s is refused with a 400, never a 5xx" % label, status == 400 and ("," in tag or "/" in tag),
              (status, body))
    status, body, _ = call("POST", "/v2.1/os-keypairs", {"keypair": {"name": value, "type": "ssh"}}, version="2.92")
    if status in (200, 201):
        status, body, _ = call("GET", "/v2.1/os-keypairs/" + urllib.parse.quote(value, safe=""), version="2.92")
        check("key pair %s reads back equal" % label, status == 200 and body["keypair"]["name"] == value,
              (status, body))
    else:
        # Nova allows [a-zA-Z0-9 @._-] only: anything else is a 400.
        check("key pair name %s is refused with a 400" % label, status == 400, (status, body))
    status, body, _ = call("POST", "/v2.1/flavors", {"flavor": {"name": value, "ram": 64, "vcpus": 1, "disk": 1,
                                                                "description": value}}, version="2.55")
    if status == 200:
        fid = body["flavor"]["id"]
        status, body, _ = call("GET", "/v2.1/flavors/" + urllib.parse.quote(fid, safe=""), version="2.55")
        check("flavor name %s reads back equal" % label, status == 200 and body["flavor"]["name"] == value
              and body["flavor"]["description"] == value, (status, body))
        call("DELETE", "/v2.1/flavors/" + urllib.parse.quote(fid, safe=""))
    else:
        check("flavor name %s is refused with a 400" % label, status == 400, (status, body))
    call("DELETE", "/v2.1/servers/" + uuid)
check("the server is alive at the end", alive())

if failures:
    print("%d checks failed" % len(failures))
    sys.exit(1)
print("all %d cases passed" % len(cases))
