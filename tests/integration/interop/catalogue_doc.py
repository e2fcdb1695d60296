#!/usr/bin/python3
"""The catalogue as a table in docs/openstack-compat.md.

  catalogue_doc.py --write   # rewrite the table between the markers
  catalogue_doc.py --check   # exit 1 if the document's table is not the catalogue's
"""
import argparse
import difflib
import os
import sys

import catalogue

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, "..", "..", ".."))

parser = argparse.ArgumentParser()
parser.add_argument("--catalogue", default=os.path.join(here, "catalogue.yaml"))
parser.add_argument("--doc", default=os.path.join(root, "docs", "openstack-compat.md"))
mode = parser.add_mutually_exclusive_group(required=True)
mode.add_argument("--write", action="store_true")
mode.add_argument("--check", action="store_true")
args = parser.parse_args()

wanted = catalogue.table(catalogue.load(args.catalogue))
with open(args.doc) as f:
    text = f.read()
current = catalogue.doc_section(text)
if current is None:
    sys.exit(f"{args.doc} has no catalogue markers ({catalogue.BEGIN} ... {catalogue.END})")
if args.check:
    if current == wanted:
        print(f"ok: the table in {args.doc} matches {args.catalogue}")
        sys.exit(0)
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True), "doc", "catalogue"))
    sys.exit(f"FAIL: the table in {args.doc} is out of date: run {sys.argv[0]} --write")
start = text.index(catalogue.BEGIN) + len(catalogue.BEGIN) + 1
end = text.index(catalogue.END)
with open(args.doc, "w") as f:
    f.write(text[:start] + wanted + text[end:])
print(f"wrote {len(wanted.splitlines()) - 2} rows to {args.doc}")
