"""Shared by the storm tests (tests/integration/chaos/chaos_test.py,
tests/e2e/multinode/storm_client.py): the Compute API over urllib, and the
two checks they end with: every server settled (ACTIVE or ERROR, no task),
and every server deleted. Every wait is bounded by its caller's limit."""
import http.client
import json
import threading
import time
import urllib.error
import urllib.request

# What a request may fail with besides an HTTP status: refused, reset, cut
# off mid-reply, a reply that is not JSON.
TRANSIENT = (OSError, ValueError, http.client.HTTPException)


def call(api, method, path, body=None, timeout=30):
    """(status, parsed JSON body or None); raises urllib.error.HTTPError on 4xx/5xx."""
    req = urllib.request.Request(api + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        data = r.read()
        return r.status, (json.loads(data) if data else None)


def servers(api):
    return call(api, "GET", "/servers/detail?all_tenants=1&limit=1000")[1]["servers"]


def settled_state(s):
    """ACTIVE or ERROR with no task."""
    return s["OS-EXT-STS:task_state"] is None and s["status"] in ("ACTIVE", "ERROR")


def settle(apis, ids, limit, grace):
    """Until every API lists every server settled and the ids among them,
    and still so `grace` seconds later (a server ACTIVE without its guest
    turns SHUTOFF at the next power sync). Returns (the last listing of each
    API, seconds until first seen settled, or None after `limit`)."""
    start = time.monotonic()
    settled_at = None  # when every server was first seen settled
    listings = [[] for _ in apis]
    ids = set(ids)
    while True:
        try:
            listings = [servers(api) for api in apis]
            ok = all(all(settled_state(s) for s in listed) and ids <= {s["id"] for s in listed}
                     for listed in listings)
        except TRANSIENT:
            ok = False
        if not ok:
            settled_at = None
        elif settled_at is None:
            settled_at = time.monotonic()
        elif time.monotonic() - settled_at >= grace:
            return listings, settled_at - start
        if time.monotonic() - start > limit:
            return listings, None
        time.sleep(0.5)


def delete_servers(apis, ids, workers, limit):
    """Deletes `ids` from `workers` threads, worker n through apis[n % len],
    each with bounded retries (a 409 while a task ends, a cut connection);
    then waits until every API lists none. Seconds that took, or None after
    `limit`."""
    todo = list(ids)
    lock = threading.Lock()

    def worker(n):
        api = apis[n % len(apis)]
        while True:
            with lock:
                if not todo:
                    return
                uuid = todo.pop()
            for _ in range(5):
                try:
                    call(api, "DELETE", "/servers/" + uuid)
                    break
                except urllib.error.HTTPError as e:
                    if e.code == 404:
                        break
                    time.sleep(0.5)
                except TRANSIENT:
                    time.sleep(0.5)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    start = time.monotonic()
    while time.monotonic() - start < limit:
        try:
            if all(not servers(api) for api in apis):
                return time.monotonic() - start
        except TRANSIENT:
            pass
        time.sleep(0.5)
    return None


def fault_reasons(errors, most=4):
    """[(count, message)] of the ERROR servers' faults, most frequent first,
    each server's own id replaced by <uuid>."""
    reasons = {}
    for e in errors:
        text = (e.get("fault") or {}).get("message", "").replace(e["id"], "<uuid>")[:100]
        reasons[text] = reasons.get(text, 0) + 1
    return sorted(((n, text) for text, n in reasons.items()), key=lambda kv: -kv[0])[:most]
