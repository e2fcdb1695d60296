"""Snapshots and shelving on a two-host `stratus aio`, as a cloud user and
an admin see them through openstacksdk (issue #13): createImage makes an
active image a server boots from; shelve offloads at once (the default
shelved_offload_time 0); unshelve at 2.91 lands on the host asked for, each
host in turn; the shelved image is gone afterwards; wrong states are 409.
Run with OS_CLOUD / OS_CLIENT_CONFIG_FILE set to the aio's admin cloud."""
import sys
import time

import openstack

MV = "2.91"
conn = openstack.connect()
compute = conn.compute
failures = []


def call(method, path, body=None, mv=MV, ok=(200, 202, 204)):
    r = getattr(compute, method)(path, json=body, microversion=mv) if body is not None or method == "post" \
        else getattr(compute, method)(path, microversion=mv)
    if r.status_code not in ok:
        raise RuntimeError(f"{method.upper()} {path} -> {r.status_code} {r.text}")
    return r


def server(sid):
    return call("get", f"/servers/{sid}").json()["server"]


def wait_status(sid, status, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        s = server(sid)
        if s["status"] == status and s.get("OS-EXT-STS:task_state") is None:
            return s
        if s["status"] == "ERROR":
            raise RuntimeError(f"server {sid} went to ERROR: {s.get('fault')}")
        time.sleep(0.2)
    raise RuntimeError(f"server {sid} is {server(sid)['status']}, not {status}, after {limit}s")


def wait_image(iid, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        img = conn.image.get_image(iid)
        if img.status == "active":
            return img
        time.sleep(0.2)
    raise RuntimeError(f"image {iid} not active after {limit}s")


def check(what, cond):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures.append(what)


def expect_status(what, method, path, body, status):
    r = getattr(compute, method)(path, json=body, microversion=MV)
    check(f"{what} answers {status} (got {r.status_code}: {r.text[:120]})", r.status_code == status)


image = conn.image.find_image("cirros-0.6.2-x86_64-disk")
flavor = conn.compute.find_flavor("m1.tiny")
hosts = sorted(h.host for h in conn.compute.services() if h.binary == "nova-compute")
check("two compute hosts", len(hosts) == 2)

sid = call("post", "/servers", {"server": {"name": "shelve-me", "imageRef": image.id, "flavorRef": flavor.id,
                                           "networks": "none"}}).json()["server"]["id"]
s = wait_status(sid, "ACTIVE")
first = s["OS-EXT-SRV-ATTR:host"]
other = [h for h in hosts if h != first][0]

# createImage: 2.45+ answers the image id in the body.
r = call("post", f"/servers/{sid}/action", {"createImage": {"name": "snap-1", "metadata": {"purpose": "test"}}})
snap = r.json()["image_id"]
img = wait_image(snap)
data = b"".join(conn.image.download_image(img, stream=True).iter_content(65536))
check("the snapshot is active, private, with its metadata and the guest's disk",
      img.visibility == "private" and img.properties.get("purpose") == "test"
      and img.properties.get("image_type") == "snapshot" and b"instance " + sid.encode() in data)
check("the server is ACTIVE again after the snapshot", wait_status(sid, "ACTIVE")["status"] == "ACTIVE")
r = call("post", f"/servers/{sid}/action", {"createImage": {"name": "snap-old"}}, mv="2.44")
check("createImage before 2.45 answers a Location header", r.headers.get("Location", "").rsplit("/", 1)[-1] != "")
old_snap = r.headers["Location"].rsplit("/", 1)[-1]
wait_image(old_snap)
wait_status(sid, "ACTIVE")
child = call("post", "/servers", {"server": {"name": "from-snap", "imageRef": snap, "flavorRef": flavor.id,
                                             "networks": "none"}}).json()["server"]["id"]
check("a server boots from the snapshot", wait_status(child, "ACTIVE")["image"]["id"] == snap)
call("delete", f"/servers/{child}")

expect_status("unshelve of an ACTIVE server", "post", f"/servers/{sid}/action", {"unshelve": None}, 409)
expect_status("shelveOffload of an ACTIVE server", "post", f"/servers/{sid}/action", {"shelveOffload": None}, 409)

for target in (first, other, first):
    call("post", f"/servers/{sid}/action", {"shelve": None})
    s = wait_status(sid, "SHELVED_OFFLOADED")
    check("shelved and offloaded: no host", s["OS-EXT-SRV-ATTR:host"] is None)
    shelved = [i for i in conn.image.images() if i.name == "shelve-me-shelved"]
    check("the shelve snapshot 'shelve-me-shelved' is active", len(shelved) == 1 and shelved[0].status == "active")
    expect_status("unshelve to an unknown host", "post", f"/servers/{sid}/action",
                  {"unshelve": {"host": "no-such-host"}}, 400)
    call("post", f"/servers/{sid}/action", {"unshelve": {"host": target}})
    s = wait_status(sid, "ACTIVE")
    check(f"unshelved on the host asked for ({target})", s["OS-EXT-SRV-ATTR:host"] == target)
    gone = [i for i in conn.image.images() if i.name == "shelve-me-shelved"]
    check("the shelve snapshot is deleted after unshelve", gone == [])

actions = [a["action"] for a in call("get", f"/servers/{sid}/os-instance-actions").json()["instanceActions"]]
check("instance actions record createImage, shelve and unshelve",
      {"createImage", "shelve", "unshelve"} <= set(actions))
call("delete", f"/servers/{sid}")
for i in (snap, old_snap):
    conn.image.delete_image(i)

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all shelve checks passed")
