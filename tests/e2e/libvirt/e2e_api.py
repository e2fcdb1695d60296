#!/usr/bin/python3
"""REST calls of the libvirt e2e test that the stratus CLI has no command for,
made as openstackclient makes them (`server image create`, `server rebuild`).

  e2e_api.py ROOT upload NAME DISK_FORMAT CONTAINER_FORMAT FILE [KEY=VALUE...]
      prints the new image's id once it is active
  e2e_api.py ROOT snapshot SERVER_ID NAME
      createImage (microversion 2.45), then follows the image until it is
      active (at most 400 s), polling every 0.1 s; prints one JSON line:
      {"id", "statuses" (each status seen, in order), "image" (the record)}
  e2e_api.py ROOT rebuild SERVER_ID IMAGE_ID
  e2e_api.py ROOT delete IMAGE_ID
ROOT is the aio's base URL (no /v2.1); the aio runs with noauth.
"""
import json
import sys
import time
import urllib.request


def call(root, method, path, body=None, data=None, content_type="application/json", headers=None):
    req = urllib.request.Request(root + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else data)
    req.add_header("Content-Type", content_type)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def upload(root, name, disk_format, container_format, path, *props):
    properties = dict(p.split("=", 1) for p in props)
    image = call(root, "POST", "/image/v2/images", dict(name=name, disk_format=disk_format,
                                                        container_format=container_format,
                                                        visibility="public", **properties))
    with open(path, "rb") as f:
        call(root, "PUT", "/image/v2/images/%s/file" % image["id"], data=f.read(),
             content_type="application/octet-stream")
    assert call(root, "GET", "/image/v2/images/" + image["id"])["status"] == "active"
    print(image["id"])


def snapshot(root, server, name):
    out = call(root, "POST", "/v2.1/servers/%s/action" % server, {"createImage": {"name": name}},
               headers={"X-OpenStack-Nova-API-Version": "2.45"})
    image_id = out["image_id"]
    statuses = []
    deadline = time.time() + 400
    image = None
    while time.time() < deadline:
        image = call(root, "GET", "/image/v2/images/" + image_id)
        if not statuses or statuses[-1] != image["status"]:
            statuses.append(image["status"])
        if image["status"] in ("active", "killed", "deleted"):
            break
        time.sleep(0.1)
    print(json.dumps({"id": image_id, "statuses": statuses, "image": image}))


def rebuild(root, server, image_id):
    call(root, "POST", "/v2.1/servers/%s/action" % server, {"rebuild": {"imageRef": image_id}})


def delete(root, image_id):
    call(root, "DELETE", "/image/v2/images/" + image_id)


if __name__ == "__main__":
    root, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"upload": upload, "snapshot": snapshot, "rebuild": rebuild, "delete": delete}[command](root, *args)
