#!/usr/bin/python3
"""Captures the requests OpenStack's own clients send, as seeds for rest_api_fuzz.

Starts `stratus aio` on a loopback port with [api] public_url pointing at a small
recording proxy (so the identity catalog sends every client back through it),
drives the aio with /usr/bin/openstack and /usr/bin/nova over servers (create with
metadata, user data and a network; reboot, stop, start, pause, lock with a
reason, rebuild, resize, createImage), metadata, tags, flavors, key pairs, tokens
(password and token methods) and an image create + upload, then writes each
request the proxy saw (request line, headers, body) to
tests/fuzz/corpus/rest/client-*, normalized so that the fuzz harness can use it
(rest_api_fuzz.cpp): the token becomes the harness's "admin", the password its
"fuzz-password", the ids of the servers and images made here "{server}" and
"{image}", volatile headers fixed values; identical requests are written once.
The api-ref seeds (make_rest_corpus.py) are left as they are; the client-*
files are replaced on each run.

    /usr/bin/python3 tests/fuzz/capture_client_corpus.py build/bin/stratus [--out DIR] [--keep DIR]

Every process it starts is stopped by PID; every wait is bounded.
"""
import argparse
import base64
import hashlib
import http.client
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}
COMMAND_TIMEOUT = 180  # seconds for one client command
# Fixed stand-ins for the ids of the flavor and network made here (the harness has neither).
FIXED_FLAVOR = "0c5e1f5a-0000-4000-8000-00000000f1a0"
FIXED_NETWORK = "0c5e1f5a-0000-4000-8000-0000000000e7"
# A fixed public key for `keypair create --public-key` (a test key, no private half kept).
TEST_PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIItHQVM1Bq5Ztfoq83EzGikkUknLJGy0M1/X3B701A/o "
                   "fuzz@stratus")


class Recorder:
    """The requests seen, in order, and what the replies said of created ids."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []      # (label, raw bytes)
        self.server_ids = set()
        self.image_ids = set()
        self.flavor_ids = set()
        self.network_ids = set()
        self.label = "setup"

    def add(self, raw):
        with self.lock:
            self.requests.append((self.label, raw))

    def note_reply(self, method, path, status, body):
        if method != "POST" or status >= 300:
            return
        try:
            doc = json.loads(body)
        except ValueError:
            return
        path = path.split("?", 1)[0].rstrip("/")
        with self.lock:
            if path.endswith("/servers") and isinstance(doc.get("server"), dict):
                self.server_ids.add(doc["server"].get("id", ""))
            elif path.endswith("/image/v2/images") and "id" in doc:
                self.image_ids.add(doc["id"])
            elif path.endswith("/action") and isinstance(doc, dict) and "image_id" in doc:
                self.image_ids.add(doc["image_id"])  # createImage at 2.45+
            elif path.endswith("/flavors") and isinstance(doc.get("flavor"), dict):
                self.flavor_ids.add(doc["flavor"].get("id", ""))
            elif path.endswith("/networks") and isinstance(doc.get("network"), dict):
                self.network_ids.add(doc["network"].get("id", ""))

    def replacements(self, project_id):
        """(volatile id, fixed text) pairs for the seeds."""
        pairs = [(i, "{server}") for i in self.server_ids] + [(i, "{image}") for i in self.image_ids]
        pairs += [(i, FIXED_FLAVOR) for i in self.flavor_ids] + [(i, FIXED_NETWORK) for i in self.network_ids]
        if project_id:
            pairs.append((project_id, "p-admin"))
        return [(old, new) for old, new in pairs if old]


def make_proxy(recorder):
    upstream = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: the summary says what happened
            pass

        def _body(self):
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                for _ in range(1 << 20):  # bounded: a chunk at a time
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    data += self.rfile.read(size)
                    self.rfile.readline()
                return data
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def _handle(self):
            body = self._body()
            head = [self.requestline]
            for name, value in self.headers.items():
                if name.lower() == "transfer-encoding":
                    continue  # recorded de-chunked, with a Content-Length
                if name.lower() == "content-length":
                    continue
                head.append("%s: %s" % (name, value))
            if body:
                head.append("Content-Length: %d" % len(body))
            recorder.add(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

            # Uncompressed replies, so that the ids of what was created can be read from them.
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in HOP_BY_HOP and k.lower() != "accept-encoding"}
            headers["Content-Length"] = str(len(body))
            conn = http.client.HTTPConnection(upstream["host"], upstream["port"], timeout=120)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                recorder.note_reply(self.command, self.path, reply.status, data)
                self.send_response(reply.status, reply.reason)
                for name, value in reply.getheaders():
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server, upstream


def stop_pid(proc, name):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        print("capture: %s (pid %d) ignored SIGTERM; killing it" % (name, proc.pid), file=sys.stderr)
        proc.kill()
        proc.wait(timeout=10)


class Cloud:
    """Direct calls to the aio (not through the proxy, not recorded): waits and look-ups."""

    def __init__(self, root, auth):
        self.root = root
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": auth["username"], "domain": {"name": auth.get("user_domain_name", "Default")},
            "password": auth["password"]}}}, "scope": {"project": {
                "name": auth["project_name"], "domain": {"name": auth.get("project_domain_name", "Default")}}}}}
        req = urllib.request.Request(root + "/identity/v3/auth/tokens", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as reply:
            self.token = reply.headers["X-Subject-Token"]
            self.project_id = json.load(reply)["token"]["project"]["id"]

    def get(self, path):
        req = urllib.request.Request(self.root + path, headers={"X-Auth-Token": self.token,
                                                               "OpenStack-API-Version": "compute 2.93"})
        with urllib.request.urlopen(req, timeout=30) as reply:
            return json.load(reply)

    def server(self, name):
        found = self.get("/v2.1/servers/detail?name=%5E" + name + "%24")["servers"]
        return found[0] if found else None

    def wait_server(self, name, statuses, seconds=90):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            s = self.server(name)
            if s and s["status"] in statuses and not s.get("OS-EXT-STS:task_state"):
                return s["status"]
            time.sleep(0.5)
        s = self.server(name)
        print("capture: %s did not reach %s within %ds (now %s)" % (
            name, "/".join(statuses), seconds, s and s["status"]), file=sys.stderr)
        return None


def run_clients(cloud, recorder, env, nova_env, work, stats):
    def run(label, argv, use_env=None, optional=False):
        """Runs one client command; optional: a feature the cloud may not deploy (a 501 is no failure)."""
        recorder.label = label
        try:
            out = subprocess.run(argv, env=use_env or env, stdin=subprocess.DEVNULL, capture_output=True,
                                 timeout=COMMAND_TIMEOUT, text=True)
            ok = out.returncode == 0
            if not ok and optional and "HTTP 501" in out.stderr:
                stats["not deployed"] += 1
                return False
            if not ok:
                print("capture: %s exited %d: %s" % (" ".join(argv[:4]), out.returncode,
                                                     out.stderr.strip().splitlines()[-1:] or ""), file=sys.stderr)
        except subprocess.TimeoutExpired:
            ok = False
            print("capture: %s timed out" % " ".join(argv[:4]), file=sys.stderr)
        stats["ok" if ok else "failed"] += 1
        return ok

    osc = ["/usr/bin/openstack"]
    nova = ["/usr/bin/nova"]
    userdata = os.path.join(work, "user-data.sh")
    with open(userdata, "w") as f:
        f.write("#!/bin/sh\necho 'hello from user data' > /tmp/greeting\n")
    imagefile = os.path.join(work, "tiny.img")
    with open(imagefile, "wb") as f:
        f.write(b"QFI\xfb" + bytes(range(256)) * 8)  # 2 KiB: small enough for a seed
    pubkey = os.path.join(work, "id.pub")
    with open(pubkey, "w") as f:
        f.write(TEST_PUBLIC_KEY + "\n")

    # Tokens: password (every command does it) and token methods, issue and revoke.
    run("token", osc + ["token", "issue"])
    token_env = {k: v for k, v in env.items() if k not in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE")}
    token_env.update({"OS_AUTH_TYPE": "v3token", "OS_TOKEN": cloud.token, "OS_AUTH_URL": nova_env["OS_AUTH_URL"],
                      "OS_PROJECT_NAME": nova_env["OS_PROJECT_NAME"],
                      "OS_PROJECT_DOMAIN_NAME": nova_env["OS_PROJECT_DOMAIN_NAME"], "OS_IDENTITY_API_VERSION": "3"})
    run("token", osc + ["token", "issue"], use_env=token_env)
    run("token", osc + ["flavor", "list"], use_env=token_env)

    # Flavors and key pairs.
    run("flavor", osc + ["flavor", "list", "--long"])
    run("flavor", osc + ["flavor", "show", "m1.tiny"])
    run("flavor", osc + ["flavor", "create", "--ram", "256", "--disk", "1", "--vcpus", "1",
                         "--property", "hw:cpu_policy=shared", "--description", "captured", "cap.flavor"])
    run("flavor", osc + ["flavor", "set", "--property", "quota:disk_read_bytes_sec=10240", "cap.flavor"])
    run("flavor", osc + ["flavor", "delete", "cap.flavor"])
    run("keypair", osc + ["keypair", "create", "cap-key-gen"])
    run("keypair", osc + ["keypair", "create", "--public-key", pubkey, "cap-key"])
    run("keypair", osc + ["keypair", "list"])
    run("keypair", osc + ["keypair", "show", "cap-key"])
    run("keypair", osc + ["keypair", "delete", "cap-key-gen"])

    # Images: create + upload, show, set.
    run("image", osc + ["image", "create", "--disk-format", "raw", "--container-format", "bare",
                        "--file", imagefile, "--property", "os_distro=cirros", "cap-image"])
    run("image", osc + ["image", "list"])
    run("image", osc + ["image", "set", "--property", "hw_disk_bus=virtio", "cap-image"])
    run("image", osc + ["image", "show", "cap-image"])

    # A network to boot on.
    run("network", osc + ["network", "create", "cap-net"])
    run("network", osc + ["subnet", "create", "--network", "cap-net", "--subnet-range", "10.77.0.0/24",
                          "cap-subnet"])

    # Servers: create with metadata, user data, a network and a key; the actions.
    run("server", osc + ["server", "create", "--flavor", "m1.tiny", "--image", "cirros-0.6.2-x86_64-disk",
                         "--network", "cap-net", "--property", "role=web", "--property", "tier=front",
                         "--user-data", userdata, "--key-name", "cap-key", "--wait", "cap-1"])
    cloud.wait_server("cap-1", ["ACTIVE"])
    run("server", osc + ["server", "list", "--long"])
    run("server", osc + ["server", "show", "cap-1"])
    run("action", osc + ["server", "reboot", "cap-1"])
    cloud.wait_server("cap-1", ["ACTIVE"])
    run("action", osc + ["server", "reboot", "--hard", "cap-1"])
    cloud.wait_server("cap-1", ["ACTIVE"])
    run("action", osc + ["server", "stop", "cap-1"])
    cloud.wait_server("cap-1", ["SHUTOFF"])
    run("action", osc + ["server", "start", "cap-1"])
    cloud.wait_server("cap-1", ["ACTIVE"])
    run("action", osc + ["server", "pause", "cap-1"])
    cloud.wait_server("cap-1", ["PAUSED"])
    run("action", osc + ["server", "unpause", "cap-1"])
    cloud.wait_server("cap-1", ["ACTIVE"])
    run("action", osc + ["--os-compute-api-version", "2.73", "server", "lock", "--reason", "maintenance window",
                         "cap-1"])
    run("action", osc + ["server", "unlock", "cap-1"])
    run("metadata", osc + ["server", "set", "--property", "owner=ops", "--property", "env=test", "cap-1"])
    run("metadata", osc + ["server", "unset", "--property", "tier", "cap-1"])
    run("tags", osc + ["--os-compute-api-version", "2.26", "server", "set", "--tag", "blue", "--tag", "db",
                       "cap-1"])
    run("tags", osc + ["--os-compute-api-version", "2.26", "server", "unset", "--tag", "db", "cap-1"])
    run("action", osc + ["server", "rebuild", "--image", "cirros-0.6.2-x86_64-disk", "--wait", "cap-1"])
    cloud.wait_server("cap-1", ["ACTIVE"])
    run("action", osc + ["server", "resize", "--flavor", "m1.small", "--wait", "cap-1"], optional=True)
    if cloud.wait_server("cap-1", ["VERIFY_RESIZE", "ACTIVE"]) == "VERIFY_RESIZE":
        run("action", osc + ["server", "resize", "--confirm", "cap-1"])
        cloud.wait_server("cap-1", ["ACTIVE"])
    run("action", osc + ["server", "image", "create", "--name", "cap-snap", "--wait", "cap-1"])
    cloud.wait_server("cap-1", ["ACTIVE"])

    # The nova CLI: its own shapes of the same requests.
    run("nova", nova + ["flavor-list"], use_env=nova_env)
    run("nova", nova + ["keypair-list"], use_env=nova_env)
    run("nova", nova + ["boot", "--flavor", "m1.tiny", "--image", "cirros-0.6.2-x86_64-disk", "--nic", "none",
                        "--meta", "role=db", "--user-data", userdata, "--poll", "cap-2"], use_env=nova_env)
    cloud.wait_server("cap-2", ["ACTIVE"])
    nova_27 = nova + ["--os-compute-api-version", "2.73"]
    run("nova", nova + ["list"], use_env=nova_env)
    run("nova", nova + ["show", "cap-2"], use_env=nova_env)
    run("nova", nova + ["meta", "cap-2", "set", "color=green"], use_env=nova_env)
    run("nova", nova + ["meta", "cap-2", "delete", "role"], use_env=nova_env)
    run("nova", nova_27 + ["server-tag-add", "cap-2", "red"], use_env=nova_env)
    run("nova", nova_27 + ["server-tag-list", "cap-2"], use_env=nova_env)
    run("nova", nova + ["reboot", "cap-2"], use_env=nova_env)
    cloud.wait_server("cap-2", ["ACTIVE"])
    run("nova", nova + ["stop", "cap-2"], use_env=nova_env)
    cloud.wait_server("cap-2", ["SHUTOFF"])
    run("nova", nova + ["start", "cap-2"], use_env=nova_env)
    cloud.wait_server("cap-2", ["ACTIVE"])
    run("nova", nova + ["pause", "cap-2"], use_env=nova_env)
    cloud.wait_server("cap-2", ["PAUSED"])
    run("nova", nova + ["unpause", "cap-2"], use_env=nova_env)
    cloud.wait_server("cap-2", ["ACTIVE"])
    run("nova", nova_27 + ["lock", "--reason", "nova says so", "cap-2"], use_env=nova_env)
    run("nova", nova_27 + ["unlock", "cap-2"], use_env=nova_env)
    run("nova", nova + ["image-create", "cap-2", "cap-snap-2"], use_env=nova_env)
    cloud.wait_server("cap-2", ["ACTIVE"])
    run("nova", nova + ["rebuild", "cap-2", "cirros-0.6.2-x86_64-disk"], use_env=nova_env)
    cloud.wait_server("cap-2", ["ACTIVE"])
    run("nova", nova + ["delete", "cap-2"], use_env=nova_env)

    run("server", osc + ["server", "delete", "--wait", "cap-1"])
    run("image", osc + ["image", "delete", "cap-image"])
    run("keypair", osc + ["keypair", "delete", "cap-key"])
    run("token", osc + ["token", "revoke", cloud.token], use_env=token_env)


def normalize(raw, replacements):
    head, sep, body = raw.partition(b"\r\n\r\n")
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    out = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(":")
        lname = name.lower()
        if lname in ("x-auth-token", "x-subject-token"):
            line = name + ": admin"
        elif lname == "host":
            line = name + ": localhost:8774"
        elif lname in ("x-openstack-request-id", "x-request-id"):
            line = name + ": req-00000000-0000-0000-0000-000000000000"
        out.append(line)
    text = "\r\n".join(out)
    body_text = body.decode("latin-1")
    for volatile, fixed in replacements:
        text = text.replace(volatile, fixed)
        body_text = body_text.replace(volatile, fixed)
    data = body_text.encode("latin-1")
    # The body changed length: keep Content-Length true (the harness rewrites it anyway).
    text = re.sub(r"(?im)^content-length: \d+$", "Content-Length: %d" % len(data), text)
    return (text + sep.decode() if sep else text).encode("latin-1") + data


def slug(raw, label):
    line = raw.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    method = parts[0] if parts else "X"
    path = parts[1].split("?", 1)[0] if len(parts) > 1 else "/"
    words = [w for w in re.split(r"[^A-Za-z0-9]+", path.replace("{server}", "S").replace("{image}", "I")) if w]
    return "client-%s-%s-%s" % (label, method.lower(), "_".join(words[-3:]) or "root")


def write_corpus(out_dir, records, replacements):
    os.makedirs(out_dir, exist_ok=True)
    for name in os.listdir(out_dir):
        if name.startswith("client-"):
            os.remove(os.path.join(out_dir, name))
    seen = set()
    written = 0
    for label, raw in records:
        line = raw.split(b"\r\n", 1)[0]
        if b" /network" in line:
            continue  # the fuzz harness serves no network routes
        data = normalize(raw, replacements)
        digest = hashlib.sha1(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        with open(os.path.join(out_dir, "%s-%s" % (slug(data, label), digest[:8])), "wb") as f:
            f.write(data)
        written += 1
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("stratus", help="the stratus binary (build/bin/stratus)")
    ap.add_argument("--out", default=os.path.join(HERE, "corpus", "rest"), help="corpus directory")
    ap.add_argument("--keep", help="keep the work directory (aio data, raw captures) here")
    args = ap.parse_args()

    work = args.keep or tempfile.mkdtemp(prefix="stratus-capture-")
    os.makedirs(work, exist_ok=True)
    recorder = Recorder()
    proxy, upstream = make_proxy(recorder)
    proxy_url = "http://127.0.0.1:%d" % proxy.server_address[1]
    threading.Thread(target=proxy.serve_forever, daemon=True).start()

    data_dir = os.path.join(work, "data")
    shutil.rmtree(data_dir, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "STRATUS_"))}
    log = open(os.path.join(work, "aio.out"), "w")
    aio = subprocess.Popen([args.stratus, "--log-level", "warn", "--set", "api.public_url=" + proxy_url,
                            "--set", "compute.heartbeat_interval=0.5", "--set", "compute.resource_report_interval=1",
                            "aio", "--data-dir", data_dir, "--listen", "127.0.0.1:0"],
                           stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    stats = {"ok": 0, "failed": 0, "not deployed": 0}
    try:
        root = None
        for _ in range(600):  # 60 s
            with open(os.path.join(work, "aio.out")) as f:
                m = re.search(r"ready at (http://127\.0\.0\.1:\d+)/v2\.1", f.read())
            if m:
                root = m.group(1)
                break
            if aio.poll() is not None:
                break
            time.sleep(0.1)
        if not root:
            sys.exit("capture: stratus aio did not start; see " + os.path.join(work, "aio.out"))
        host, port = root[len("http://"):].split(":")
        upstream.update(host=host, port=int(port))
        wait_hosts = os.path.join(HERE, "..", "integration", "lib", "wait_hosts_up.py")
        subprocess.run(["/usr/bin/python3", wait_hosts, root, "1", "--clouds", os.path.join(data_dir, "clouds.yaml")],
                       check=True, timeout=120)

        import yaml  # Debian's python3-yaml, as openstackclient itself needs
        with open(os.path.join(data_dir, "clouds.yaml")) as f:
            cloud_cfg = yaml.safe_load(f)["clouds"]["stratus"]
        auth = cloud_cfg["auth"]
        if not auth["auth_url"].startswith(proxy_url):
            sys.exit("capture: clouds.yaml's auth_url %s is not the proxy's %s" % (auth["auth_url"], proxy_url))
        cloud = Cloud(root, auth)
        env.update({"OS_CLIENT_CONFIG_FILE": os.path.join(data_dir, "clouds.yaml"), "OS_CLOUD": "stratus",
                    "HOME": work})
        nova_env = dict(env)
        del nova_env["OS_CLOUD"], nova_env["OS_CLIENT_CONFIG_FILE"]
        nova_env.update({"OS_AUTH_URL": auth["auth_url"], "OS_USERNAME": auth["username"],
                         "OS_PASSWORD": auth["password"], "OS_PROJECT_NAME": auth["project_name"],
                         "OS_USER_DOMAIN_NAME": auth.get("user_domain_name", "Default"),
                         "OS_PROJECT_DOMAIN_NAME": auth.get("project_domain_name", "Default"),
                         "OS_IDENTITY_API_VERSION": "3"})
        run_clients(cloud, recorder, env, nova_env, work, stats)
    finally:
        stop_pid(aio, "stratus aio")
        proxy.shutdown()
        proxy.server_close()
        log.close()

    secrets = [(cloud.token, "admin"), (auth["password"], "fuzz-password")]
    # Tokens the clients got for themselves: every X-Subject-Token they sent and
    # every token id in a token-method body.
    for _, raw in recorder.requests:
        for m in re.finditer(rb'"id": ?"([A-Za-z0-9_\-]{40,})"', raw):
            secrets.append((m.group(1).decode(), "admin"))
    written = write_corpus(args.out, recorder.requests, secrets + recorder.replacements(cloud.project_id))
    raw_dir = os.path.join(work, "raw")
    os.makedirs(raw_dir, exist_ok=True)
    for i, (label, raw) in enumerate(recorder.requests):
        with open(os.path.join(raw_dir, "%04d-%s" % (i, label)), "wb") as f:
            f.write(raw)
    print("capture: %d client commands ok, %d failed, %d not deployed by this cloud; %d requests seen, "
          "%d distinct written to %s" % (stats["ok"], stats["failed"], stats["not deployed"], len(recorder.requests),
                                         written, args.out))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if stats["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
