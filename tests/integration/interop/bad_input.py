"""Bad input at Stratus's OpenStack APIs; run by bad_input_test.sh with
/usr/bin/python3:  bad_input.py ROOT_URL CLOUDS_YAML
Exits non-zero after printing every check that failed."""
import http.client
import json
import os
import socket
import sys
import urllib.parse

import yaml

root, clouds_file = sys.argv[1], sys.argv[2]
admin = yaml.safe_load(open(clouds_file))["clouds"]["stratus"]["auth"]
parsed = urllib.parse.urlsplit(root)
host, port = parsed.hostname, parsed.port
failures = []


def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else "  (%s)" % detail))
    if not ok:
        failures.append(what)


def call(method, path, body=None, headers=None, raw=None):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    h = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), out


def password_auth(user, password, project="admin"):
    return {"auth": {"identity": {"methods": ["password"],
                                  "password": {"user": {"name": user, "domain": {"id": "default"},
                                                        "password": password}}},
                     "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}


status, headers, _ = call("POST", "/identity/v3/auth/tokens", password_auth(admin["username"], admin["password"]))
token = {k.lower(): v for k, v in headers.items()}.get("x-subject-token")
check("the admin logs in with the password from clouds.yaml", status == 201 and token, status)
auth = {"X-Auth-Token": token}

# Tokens
for bad in ["", "garbage", "x" * 8192, token[:-1] + ("A" if token[-1] != "A" else "B"), "\u00e9t\u00e9".encode().decode("latin-1")]:
    for path in ["/v2.1/servers", "/image/v2/images", "/network/v2.0/networks"]:
        status, _, _ = call("GET", path, headers={"X-Auth-Token": bad})
        # A header over the server's limit is refused before any route runs.
        allowed = (401, 400, 431) if len(bad) > 4096 else (401,)
        check("token %r... is refused at %s" % (bad[:12], path), status in allowed, status)
status, _, _ = call("GET", "/v2.1/servers")
check("no token at all is refused", status == 401, status)

# Passwords: a wrong password and an unknown user look the same.
s1, _, b1 = call("POST", "/identity/v3/auth/tokens", password_auth(admin["username"], "wrong-password"))
s2, _, b2 = call("POST", "/identity/v3/auth/tokens", password_auth("nobody-" + str(os.getpid()), "wrong-password"))
check("a wrong password is 401", s1 == 401, s1)
check("an unknown user is 401", s2 == 401, s2)
check("and the two answers are identical (no hint which part was wrong)", b1 == b2, (b1, b2))
s, _, b = call("POST", "/identity/v3/auth/tokens", raw=b"{not json", headers={"Content-Type": "application/json"})
check("a malformed auth body is 400", s == 400, (s, b))
s, _, b = call("POST", "/identity/v3/auth/tokens", {"auth": {"identity": {"methods": ["password"]}}})
check("an auth body missing the password is 400 or 401", s in (400, 401), (s, b))

# Revocation
status, headers, _ = call("POST", "/identity/v3/auth/tokens", password_auth(admin["username"], admin["password"]))
spare = {k.lower(): v for k, v in headers.items()}["x-subject-token"]
s, _, _ = call("DELETE", "/identity/v3/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": spare})
check("a token can be revoked", s == 204, s)
s, _, _ = call("GET", "/v2.1/servers", headers={"X-Auth-Token": spare})
check("and is refused afterwards", s == 401, s)


def new_image(name):
    s, _, b = call("POST", "/image/v2/images",
                   {"name": name, "disk_format": "raw", "container_format": "bare"}, auth)
    assert s == 201, (s, b)
    return json.loads(b)["id"]


def image_status(image_id):
    s, _, b = call("GET", "/image/v2/images/" + image_id, headers=auth)
    return json.loads(b)["status"] if s == 200 else "HTTP %d" % s


def no_data_served(image_id):
    s, _, b = call("GET", "/image/v2/images/%s/file" % image_id, headers=auth)
    return s != 200 or len(b) == 0


# Oversized upload: the limit here is 1 MiB.
big = new_image("too-big")
s, _, b = call("PUT", "/image/v2/images/%s/file" % big, raw=os.urandom(2 * 1048576),
               headers=dict(auth, **{"Content-Type": "application/octet-stream"}))
check("an upload over image.max_image_size is 413", s == 413, (s, b[:200]))
check("and the image stays queued", image_status(big) == "queued", image_status(big))
check("with no data served", no_data_served(big))

# Truncated upload: the client promises more than it sends, then goes away.
cut = new_image("truncated")
sock = socket.create_connection((host, port), timeout=10)
sock.sendall(("PUT /image/v2/images/%s/file HTTP/1.1\r\nHost: %s:%d\r\nX-Auth-Token: %s\r\n"
              "Content-Type: application/octet-stream\r\nContent-Length: 500000\r\n\r\n" % (cut, host, port, token)).encode())
sock.sendall(os.urandom(1000))
# End the body early, then read until the server answers and closes: its
# handler has finished (and put the image back) before it replies. Polling
# the status after close() raced the server: "queued" is also the status
# before the handler begins, and the check then caught it "saving".
sock.shutdown(socket.SHUT_WR)
try:
    for _ in range(100):
        if not sock.recv(4096):
            break
except OSError:
    pass  # a reset also means the server is done with the connection
sock.close()
check("a truncated upload leaves the image queued (or killed)", image_status(cut) in ("queued", "killed"), image_status(cut))
check("with no half file served", no_data_served(cut))
s, _, _ = call("PUT", "/image/v2/images/%s/file" % cut, raw=b"x" * 1000,
               headers=dict(auth, **{"Content-Type": "application/octet-stream"}))
check("and a full upload afterwards works", s == 204 and image_status(cut) == "active", (s, image_status(cut)))

# Path tricks
for path in ["/image/v2/images/..%2F..%2F..%2Fetc%2Fpasswd", "/image/v2/images/..%2F..%2F..%2Fetc%2Fpasswd/file",
             "/image/v2/images/%2Fetc%2Fpasswd/file", "/image/v2/images/not-a-uuid/file"]:
    s, _, b = call("GET", path, headers=auth)
    check("GET %s is 404 or 400, never a file" % path, s in (400, 404) and b"root:" not in b, (s, b[:100]))
tricky = new_image("../../../../tmp/stratus-escape")
s, _, _ = call("PUT", "/image/v2/images/%s/file" % tricky, raw=b"payload",
               headers=dict(auth, **{"Content-Type": "application/octet-stream"}))
check("an image named like a path uploads as any other", s == 204, s)
check("and writes nothing outside the image store", not os.path.exists("/tmp/stratus-escape"))
s, _, b = call("GET", "/image/v2/images/%s/file" % tricky, headers=auth)
check("and serves its own bytes", s == 200 and b == b"payload", (s, b[:50]))

if failures:
    print("%d checks failed" % len(failures))
    sys.exit(1)
