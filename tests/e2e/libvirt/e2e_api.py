#!/usr/bin/python3
"""Image service calls of the libvirt e2e test.

  e2e_api.py ROOT upload NAME DISK_FORMAT CONTAINER_FORMAT FILE [KEY=VALUE...]
      prints the new image's id once it is active
  e2e_api.py ROOT watch NAME
      waits for an image named NAME and follows it until it is active (at
      most 600 s in all), polling every 0.02 s; prints one JSON line:
      {"id", "statuses" (each status seen, in order), "image" (the record)}
  e2e_api.py ROOT delete IMAGE_ID
ROOT is the aio's base URL (no /v2.1); the aio runs with noauth.
"""
import json
import sys
import time
import urllib.parse
import urllib.request


def call(root, method, path, body=None, data=None, content_type="application/json"):
    req = urllib.request.Request(root + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else data)
    req.add_header("Content-Type", content_type)
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


def watch(root, name):
    deadline = time.time() + 600
    statuses = []
    image = None
    while time.time() < deadline:
        found = call(root, "GET", "/image/v2/images?name=" + urllib.parse.quote(name))["images"]
        if found:
            image = found[0]
            if not statuses or statuses[-1] != image["status"]:
                statuses.append(image["status"])
            if image["status"] in ("active", "killed", "deleted"):
                break
        time.sleep(0.02)
    print(json.dumps({"id": image and image["id"], "statuses": statuses, "image": image}))


def delete(root, image_id):
    call(root, "DELETE", "/image/v2/images/" + image_id)


if __name__ == "__main__":
    root, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"upload": upload, "watch": watch, "delete": delete}[command](root, *args)
