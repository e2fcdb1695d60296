#!/usr/bin/python3
"""Runs the openstack command catalogue (catalogue.yaml) against a cloud.

  catalogue_run.py --clouds CLOUDS_YAML [--cloud stratus] [--subprocess]
                   [--only REGEX] [--catalogue FILE]

Each row runs as the admin (the cloud named by --cloud) or as "member": a
user of another project, whose cloud entry the runner adds once the rows
before have saved ${member_user}, ${member_password} and ${member_project}.
The rows of each lane run in order, the lanes at the same time (one process
each): a row waits for a ${value} another lane saves, and for the lanes it
names in "after". One line per command, then "N passed, M failed, K skipped"
(skipped: rows tagged pending whose feature is not merged yet and that
fail); exits 1 on any failure.

By default each command runs in a child forked from this process, through
the entry point /usr/bin/openstack calls (openstackclient.shell.main): the
imports are paid once, not once a command (about a second each);
--subprocess runs /usr/bin/openstack itself for every row.
"""
import argparse
import contextlib
import copy
import io
import json
import importlib
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import yaml

import catalogue

VAR = re.compile(r"\$\{(\w+)\}")
FIVE_XX = re.compile(r"\(HTTP 5\d\d\)|Internal Server Error|HTTP 5\d\d")


class Missing(Exception):
    pass


def substitute(text, saved):
    def one(m):
        if m.group(1) not in saved:
            raise Missing(m.group(1))
        return str(saved[m.group(1)])
    return VAR.sub(one, text)


def substitute_all(value, saved):
    if isinstance(value, str):
        return substitute(value, saved)
    if isinstance(value, list):
        return [substitute_all(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: substitute_all(v, saved) for k, v in value.items()}
    return value


def as_text(value):
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return "" if value is None else str(value)


def value_matches(expected, actual):
    expected = str(expected)
    if expected.startswith("~"):
        return re.fullmatch(expected[1:], as_text(actual), re.S) is not None
    return as_text(actual) == expected


def row_matches(expected, row):
    return isinstance(row, dict) and all(k in row and value_matches(v, row[k]) for k, v in expected.items())


def parse_json(stdout):
    """The JSON a command printed (--wait prints progress before it)."""
    text = stdout.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for m in re.finditer(r"^[\[{]", text, re.M):
        try:
            return json.loads(text[m.start():])
        except ValueError:
            continue
    raise ValueError("no JSON in the output")


def save_path(data, path):
    m = re.fullmatch(r"([^~\[]+)~(.+)", path)  # KEY~REGEX: the regex's first group in the key's text
    if m:
        found = re.search(m.group(2), as_text(save_path(data, m.group(1))))
        if not found:
            raise KeyError(path)
        return found.group(1)
    m = re.fullmatch(r"\[(\d+)\]\.(.+)", path)
    if m:
        if not isinstance(data, list) or len(data) <= int(m.group(1)):
            raise KeyError(path)
        return data[int(m.group(1))][m.group(2)]
    m = re.fullmatch(r"\[(\w[\w ]*)=([^\]]*)\]\.(.+)", path)
    if m:
        for row in data if isinstance(data, list) else []:
            if isinstance(row, dict) and as_text(row.get(m.group(1))) == m.group(2):
                return row.get(m.group(3))
        raise KeyError(path)
    if not isinstance(data, dict) or path not in data:
        raise KeyError(path)
    return data[path]


def check(row, rc, out, err):
    """'' when the row's expectation holds, else why not."""
    if "Traceback (most recent call last)" in out + err:
        return "a Python traceback:\n" + err[-1500:]
    if FIVE_XX.search(err) or FIVE_XX.search(out):
        return "a server error (5xx): " + err.strip()[-500:]
    if row.get("needs") or "error" in row:
        if rc == 0:
            return "succeeded, but must fail"
        # (cliff prints "'x' is not an openstack command" on stdout)
        message = (err + out).strip()
        if not message:
            return "failed without a message"
        if row.get("error") and not re.search(row["error"], message, re.S):
            return f"the message does not match /{row['error']}/: {message[-500:]}"
        return ""
    if rc != 0:
        return f"exit {rc}: {err.strip()[-500:]}"
    if row.get("empty") and out.strip():
        return f"printed {out.strip()[:200]!r}, expected nothing"
    if "text" in row and not re.search(row["text"], out, re.S | re.M):
        return f"stdout does not match /{row['text']}/: {out.strip()[:300]!r}"
    needs_json = any(k in row for k in ("out", "rows", "no_rows", "columns", "count")) or "save" in row
    if not needs_json:
        return ""
    try:
        data = parse_json(out)
    except ValueError:
        return f"not JSON: {out.strip()[:300]!r}"
    if "out" in row:
        if not isinstance(data, dict):
            return "expected one object"
        wrong = {k: data.get(k, "<missing>") for k, v in row["out"].items()
                 if k not in data or not value_matches(v, data[k])}
        if wrong:
            return "differs: " + ", ".join(f"{k}={as_text(v)!r}" for k, v in wrong.items())
    if any(k in row for k in ("rows", "no_rows", "columns", "count")) and not isinstance(data, list):
        return "expected a list"
    for want in row.get("rows", []):
        if not any(row_matches(want, r) for r in data):
            return f"no row with {want} in {json.dumps(data)[:400]}"
    for unwanted in row.get("no_rows", []):
        if any(row_matches(unwanted, r) for r in data):
            return f"a row with {unwanted} is listed"
    if "columns" in row:
        if not data:
            return "no rows to see the columns of"
        if list(data[0].keys()) != row["columns"]:
            return f"columns {list(data[0].keys())}, expected {row['columns']}"
    if "count" in row:
        want = str(row["count"])
        ok = len(data) >= int(want[2:]) if want.startswith(">=") else len(data) == int(want)
        if not ok:
            return f"{len(data)} rows, expected {want}"
    return ""


def warm_up():
    """Imports what most commands load, once, before the children fork."""
    for module in ("openstackclient.shell", "keystoneauth1.session", "keystoneclient.v3.client",
                   "novaclient.client", "novaclient.v2.client", "openstack.connection",
                   "openstackclient.compute.v2.server", "openstackclient.network.v2.network",
                   "openstackclient.image.v2.image", "openstackclient.identity.v3.project"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass


def run_forked(argv, timeout):
    """Runs openstackclient's main(argv) in a forked child: a fresh process
    as /usr/bin/openstack would be, without paying for the imports again.
    (In one process the clients an earlier command made would be reused, and
    some client factories are not re-entrant.) Returns (rc, stdout, stderr)."""
    from openstackclient import shell
    fd, result_file = tempfile.mkstemp(prefix="catalogue-", suffix=".json")
    os.close(fd)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run, write the result, leave without cleanup
        rc = 1
        sys.argv[0] = "openstack"  # cliff names the program in its messages
        out, err = io.StringIO(), io.StringIO()
        try:
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = shell.main(argv)
                except SystemExit as e:
                    rc = e.code if isinstance(e.code, int) else 1
                except BaseException:  # what the real process would print, then exit 1
                    traceback.print_exc()
                    rc = 1
            with open(result_file, "w") as f:
                json.dump([rc, out.getvalue(), err.getvalue()], f)
        finally:
            os._exit(0)
    deadline = time.monotonic() + timeout
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.unlink(result_file)
            return 1, "", f"catalogue: no answer within {timeout}s (killed)"
        time.sleep(0.005)
    try:
        with open(result_file) as f:
            rc, out, err = json.load(f)
    except (OSError, ValueError):
        rc, out, err = 1, "", "catalogue: the command's process died without a result"
    os.unlink(result_file)
    return rc, out, err


class Runner:
    def __init__(self, clouds_file, cloud, subprocess_mode, workdir, lane):
        self.cloud = cloud
        self.subprocess_mode = subprocess_mode
        self.clouds_file = os.path.join(workdir, f"catalogue-clouds-{lane}.yaml")
        with open(clouds_file) as f:
            self.clouds = yaml.safe_load(f)
        self.write_clouds()
        os.environ["OS_CLIENT_CONFIG_FILE"] = self.clouds_file
        for var in ("OS_CLOUD", "OS_AUTH_URL", "OS_TOKEN", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME"):
            os.environ.pop(var, None)
        os.chdir(workdir)

    def write_clouds(self):
        fd = os.open(self.clouds_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(self.clouds, f)

    def add_member(self, user, password, project):
        member = copy.deepcopy(self.clouds["clouds"][self.cloud])
        member["auth"].update(username=user, password=password, project_name=project)
        self.clouds["clouds"]["member"] = member
        self.write_clouds()

    def run(self, who, argv):
        argv = ["--os-cloud", self.cloud if who == "admin" else "member"] + (["--debug"] if os.environ.get("CATALOGUE_DEBUG") else []) + argv
        if self.subprocess_mode:
            p = subprocess.run(["/usr/bin/openstack"] + argv, capture_output=True, text=True, timeout=300,
                               stdin=subprocess.DEVNULL)
            return p.returncode, p.stdout, p.stderr
        return run_forked(argv, 300)


class Shared:
    """Values saved by rows, seen by every lane: one file per value in
    `folder` (written whole, then renamed), and a marker per finished lane."""

    def __init__(self, folder, rows):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        self.saver = {}  # value name -> the lane of the row that saves it
        for row in rows:
            for name in row.get("save", {}):
                self.saver.setdefault(name, row.get("lane", "main"))

    def put(self, name, value):
        tmp = os.path.join(self.folder, f".{name}.tmp")
        with open(tmp, "w") as f:
            json.dump(value, f)
        os.rename(tmp, os.path.join(self.folder, name))

    def finished(self, lane):
        open(os.path.join(self.folder, f".done-{lane}"), "w").close()

    def is_finished(self, lane):
        return os.path.exists(os.path.join(self.folder, f".done-{lane}"))

    def wait_lane(self, lane, timeout):
        deadline = time.monotonic() + timeout
        while not self.is_finished(lane) and time.monotonic() < deadline:
            time.sleep(0.1)

    def fill(self, text_values, saved, lane, timeout):
        """Copies into `saved` the ${names} the values use that another lane
        saves, waiting (bounded) until that lane has saved them or finished."""
        deadline = time.monotonic() + timeout
        for name in set(VAR.findall(" ".join(text_values))):
            other = self.saver.get(name)
            if name in saved or other is None or other == lane:
                continue
            path = os.path.join(self.folder, name)
            while not os.path.exists(path) and not self.is_finished(other) and time.monotonic() < deadline:
                time.sleep(0.1)
            if os.path.exists(path):
                with open(path) as f:
                    saved[name] = json.load(f)


def run_lane(lane, rows, args, shared, saved):
    """Runs the rows of one lane in order; returns (passed, failed, pending)."""
    runner = Runner(args.clouds, args.cloud, args.subprocess, args.workdir, lane)
    passed = failed = pending = 0
    failed_pending = set()
    for number, row in enumerate(rows, 1):
        if row.get("lane", "main") != lane or (args.until and number > args.until):
            continue
        if args.only and not re.search(args.only, row["run"]) and "save" not in row:
            continue
        for other in row.get("after", []):
            shared.wait_lane(other, 480)
        who = row.get("as", "admin")
        label = f"[{number:3}] {who:6} openstack {row['run']}"
        t0 = time.monotonic()
        try:
            shared.fill([row["run"], json.dumps({k: row[k] for k in row if k in catalogue.CHECK_KEYS}),
                         "${member_user} ${member_project}" if who == "member" else ""], saved, lane, 480)
            command = substitute(row["run"], saved)
            expect = {k: substitute_all(v, saved) for k, v in row.items() if k in catalogue.CHECK_KEYS}
            expect.update({k: row[k] for k in ("needs", "save") if k in row})
            if who == "member" and "member" not in runner.clouds["clouds"]:
                runner.add_member(*(substitute("${%s}" % v, saved)
                                    for v in ("member_user", "member_password", "member_project")))
            why = ""
        except Missing as e:
            why = f"needs ${{{e.args[0]}}}, which no earlier row saved"
        if not why:
            # Once a pending feature has failed, its later rows get one try.
            retry = 0 if row.get("pending") in failed_pending else float(row.get("retry", 0))
            deadline = t0 + retry
            while True:
                rc, out, err = runner.run(who, shlex.split(command))
                why = check(expect, rc, out, err)
                if not why and "save" in row:
                    try:
                        data = parse_json(out)
                        for name, path in row["save"].items():
                            saved[name] = save_path(data, path)
                            shared.put(name, saved[name])
                    except (ValueError, KeyError) as e:
                        why = f"cannot save {row['save']}: {e}"
                if not why or time.monotonic() >= deadline:
                    break
                time.sleep(0.3)
        took = f"{time.monotonic() - t0:5.1f}s"
        where = f"{lane:7}"
        if not why:
            passed += 1
            tag = f"  (needs {row['needs']}: {catalogue.NEEDS[row['needs']]})" if row.get("needs") else ""
            if row.get("pending"):
                tag += f"  (tagged pending: {row['pending']}, passes now)"
            print(f"ok      {took} {where} {label}{tag}", flush=True)
        elif row.get("pending"):
            pending += 1
            failed_pending.add(row["pending"])
            print(f"pending {took} {where} {label}  (not yet merged: {row['pending']}): "
                  f"{why.splitlines()[0][:200]}", flush=True)
        else:
            failed += 1
            print(f"FAIL    {took} {where} {label}\n          {why}", flush=True)
    shared.finished(lane)
    return passed, failed, pending


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--clouds", required=True)
    parser.add_argument("--cloud", default="stratus")
    parser.add_argument("--catalogue", default=os.path.join(here, "catalogue.yaml"))
    parser.add_argument("--subprocess", action="store_true")
    parser.add_argument("--only", help="run only rows whose command matches this regex (and rows that save)")
    parser.add_argument("--until", type=int, help="stop after this row (to look at the cloud then)")
    parser.add_argument("--workdir", default=os.getcwd())
    args = parser.parse_args()
    args.workdir = os.path.abspath(args.workdir)

    rows = catalogue.load(args.catalogue)
    lanes = list(dict.fromkeys(row.get("lane", "main") for row in rows))
    shared = Shared(os.path.join(args.workdir, "catalogue-values"), rows)
    # Values rows may use before any row saved one.
    image_file = os.path.join(args.workdir, "catalogue-image.raw")
    with open(image_file, "wb") as f:
        f.write(bytes(range(256)) * 64)
    saved = {"workdir": args.workdir, "image_file": image_file,
             "member_password": "Cat-" + os.urandom(9).hex()}
    if not args.subprocess:
        warm_up()
    started = time.monotonic()
    # One process a lane, forked before any command runs (so the per-row
    # forks never happen in a process with threads).
    children = {}
    for lane in lanes:
        result_file = os.path.join(args.workdir, f"catalogue-result-{lane}.json")
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                with open(result_file, "w") as f:
                    json.dump(run_lane(lane, rows, args, shared, dict(saved)), f)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                os._exit(code)
        children[pid] = (lane, result_file)
    passed = failed = pending = 0
    for pid, (lane, result_file) in children.items():
        os.waitpid(pid, 0)
        try:
            with open(result_file) as f:
                p, f_, k = json.load(f)
        except (OSError, ValueError):
            p, f_, k = 0, 1, 0
            print(f"FAIL    lane {lane} ended without a result", flush=True)
        passed, failed, pending = passed + p, failed + f_, pending + k
    print(f"catalogue: {len(rows)} rows in {len(lanes)} lanes, {time.monotonic() - started:.0f}s; "
          f"{pending} pending (not yet merged)")
    print(f"{passed} passed, {failed} failed, {pending} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
