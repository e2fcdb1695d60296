#!/usr/bin/python3
"""The openstack command catalogue: load, check and describe it.

Shared by catalogue_run.py (runs every row against a cloud) and
catalogue_doc.py (the table in docs/openstack-compat.md). A row of
catalogue.yaml is a mapping:

  run:      the openstack command line, without "openstack" ("server list -f json");
            ${name} is replaced by a value saved by an earlier row
  as:       admin (default) or member (a member of another project)
  out:      {column: value}   stdout is one JSON object containing these
  rows:     [{column: value}] stdout is a JSON list; each must match some row
  no_rows:  [{column: value}] ... and none may match these
  columns:  [names]           the list's rows have exactly these columns
  count:    N or ">=N"        how many rows the list has
  text:     regex             stdout must contain a match
  empty:    true              the command prints nothing (a silent action)
  error:    regex             the command must fail (exit != 0) and its message match
  save:     {name: path}      path "ID" (a key of the object printed),
                              "[Name=private].ID" (a key of the matching row),
                              "[0].ID" (of the first row), or "addresses~net=([0-9.]+)"
                              (the regex's group in the key's text)
  retry:    seconds           re-run until the expectation holds (state changes)
  needs:    a service that is not deployed (volume, object-store, orchestration):
            the command must fail cleanly (exit != 0, no traceback, no 5xx)
  pending:  a tag for work not merged yet: a failure is reported as pending
  note:     a few words for the table
  lane:     rows of different lanes run at the same time (default lane: main);
            a ${name} another lane saves is waited for
  after:    [lanes] wait until these lanes have finished

Values in out/rows compare as text after ${} substitution; a value that
starts with "~" is a regular expression the whole text must match.
Every row also fails on a Python traceback or a 5xx in its output.
"""
import re

import yaml

NEEDS = {
    "volume": "Cinder (block storage) is not deployed",
    "object-store": "Swift (object storage) is not deployed",
    "orchestration": "Heat (orchestration) is not deployed",
    "dns": "Designate (DNS) is not deployed",
}
CHECK_KEYS = ("out", "rows", "no_rows", "columns", "count", "text", "empty", "error")
KEYS = set(CHECK_KEYS) | {"run", "as", "save", "retry", "needs", "pending", "note", "lane", "after"}


def load(path):
    with open(path) as f:
        rows = yaml.safe_load(f)
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a list of rows")
    for i, row in enumerate(rows, 1):
        where = f"{path}: row {i} ({row.get('run', '?') if isinstance(row, dict) else row!r})"
        if not isinstance(row, dict) or not isinstance(row.get("run"), str):
            raise ValueError(f"{where}: needs 'run'")
        unknown = set(row) - KEYS
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if row.get("as", "admin") not in ("admin", "member"):
            raise ValueError(f"{where}: 'as' must be admin or member")
        if not isinstance(row.get("after", []), list):
            raise ValueError(f"{where}: 'after' is a list of lanes")
        if row.get("needs") and row["needs"] not in NEEDS:
            raise ValueError(f"{where}: unknown needs '{row['needs']}' (known: {sorted(NEEDS)})")
        if not row.get("needs") and not any(k in row for k in CHECK_KEYS):
            raise ValueError(f"{where}: says nothing to check (out, rows, text, empty, error ...)")
        if "error" in row and any(k in row for k in ("out", "rows", "columns", "count", "text", "empty")):
            raise ValueError(f"{where}: an error row checks only the error")
    return rows


def _show(value):
    text = str(value)
    return text[1:] if text.startswith("~") else text


def _pairs(mapping):
    return ", ".join(f"{k}={_show(v)}" for k, v in mapping.items())


def describe(row):
    """What the row checks, in a few words, for the table."""
    if row.get("needs"):
        what = f"fails cleanly: {NEEDS[row['needs']]}"
        if row.get("error"):
            what += f" (`{row['error']}`)"
        return what
    parts = []
    if "error" in row:
        parts.append(f"fails: `{row['error']}`")
    if "out" in row:
        parts.append(f"shows {_pairs(row['out'])}")
    for r in row.get("rows", []):
        parts.append(f"lists {_pairs(r)}")
    for r in row.get("no_rows", []):
        parts.append(f"not {_pairs(r)}")
    if "columns" in row:
        parts.append("columns " + ", ".join(row["columns"]))
    if "count" in row:
        parts.append(f"{row['count']} rows")
    if "text" in row:
        parts.append(f"prints `{row['text']}`")
    if row.get("empty"):
        parts.append("prints nothing")
    return "; ".join(parts)


def table(rows):
    """The Markdown table docs/openstack-compat.md carries."""
    out = ["| # | Command (`openstack ...`) | As | Checks | Note |", "|---|---|---|---|---|"]
    for i, row in enumerate(rows, 1):
        note = row.get("note", "")
        if row.get("pending"):
            note = (note + "; " if note else "") + f"pending: {row['pending']}"
        cells = [str(i), f"`{row['run']}`", row.get("as", "admin"), describe(row), note]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"


BEGIN = "<!-- catalogue:begin (generated by tests/integration/interop/catalogue_doc.py) -->"
END = "<!-- catalogue:end -->"


def doc_section(text):
    """The generated table inside a document, or None."""
    m = re.search(re.escape(BEGIN) + r"\n(.*?)" + re.escape(END), text, re.S)
    return m.group(1) if m else None
