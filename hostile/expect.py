#!/usr/bin/env python3
"""expect.py OUT ERR RC EXPR: judges one run of scripts/hostile.

OUT and ERR are files holding the run's stdout and stderr, RC its exit status; EXPR is a
Python expression over what the run printed, true when the item holds. It may use:

  rc        the exit status (int)
  out, err  stdout and stderr as text (bytes that are not UTF-8 kept as surrogates)
  raw       stdout as bytes
  doc       stdout parsed as one JSON document (None if it is not one)
  recs      the lines of stdout that parse as JSON objects (outcomes, one per line)
  codes     per outcome its error code, or "ok" when it has none
  at        per outcome its `line` (None when absent)
  error     (name, path) of a failed call: the C and npm drivers' "error NAME PATH ..."
            line, or the command line's "docket: NAME: ..." on stderr (path None); None
            otherwise
  cls       the class of the npm package's error (ArgumentError, PolicyError), else None
  diags     the diagnostics of a policy as (code, path) pairs (`docket check --json`, the
            C and npm drivers' error details)
  wasm_mb   the npm package's WebAssembly memory after the run in MB (driver.mjs prints
            it on stderr), None for the other bindings
  flags     whether each given JSON field is true: flags("a", "b")

Prints what the run showed, in one line; exits 0 when EXPR holds, 1 when not."""
import json, re, sys

out_file, err_file, rc, expr = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
raw = open(out_file, "rb").read()
out = raw.decode("utf-8", "surrogateescape")
err = open(err_file, "rb").read().decode("utf-8", "surrogateescape")
lines = out.split("\n")


def parse(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


doc = parse(out) if len(raw) < 50_000_000 else None
recs = [r for r in (parse(l) for l in lines if l.startswith("{")) if isinstance(r, dict)]
outcomes = [r for r in recs if "id" in r and "policy" in r]
codes = [(r.get("error") or {}).get("code", "ok") for r in outcomes]
at = [r.get("line") for r in outcomes]
error = cls = None
diags = []
if lines[0].startswith("error "):
    parts = lines[0].split(" ")
    error = (parts[1], "" if parts[2] == "-" else parts[2])
    cls = parts[3] if len(parts) > 3 else None
    diags = [(d["code"], d["path"]) for d in (parse(lines[1]) or [])] if len(lines) > 1 else []
else:
    m = re.match(r"docket: ([a-z_]+): ", err)
    if m:
        error = (m.group(1), None)
if isinstance(doc, dict) and isinstance(doc.get("errors"), list):
    diags = [(d["code"], d["path"]) for d in doc["errors"]]
m = re.search(r"wasm-memory-mb: ([0-9.]+)", err)
wasm_mb = float(m.group(1)) if m else None


def flags(*names):
    return isinstance(doc, dict) and all(doc.get(n) is True for n in names)


def short(path):
    return '""' if path == "" else path if len(path) <= 40 else path[:37] + "..."


def shown():
    if error:
        s = "error %s" % error[0] + (" %s" % short(error[1]) if error[1] is not None else "")
        if diags:
            kinds = sorted({c for c, _ in diags})
            s += " (%d diagnostic(s): %s, first at %s)" % (len(diags), ", ".join(kinds), short(diags[0][1]))
        return s
    if diags:
        more = ", ..." if len(diags) > 2 else ""
        return "does not compile: %d diagnostic(s): %s%s" % (len(diags), ", ".join("%s %s" % d for d in diags[:2]), more)
    if isinstance(doc, dict) and doc.get("ok") is True:
        return "compiles"
    if isinstance(doc, dict) and isinstance(doc.get("queues"), dict):
        return "report of %s cases, queues %s" % (doc.get("cases"), sorted(doc["queues"]))
    if codes:
        return "outcomes %s" % codes if len(codes) <= 6 else "%d outcomes, %d ok" % (len(codes), codes.count("ok"))
    first = out.strip().split("\n")[0]
    return (first[:100] if first else "(no output, exit %d)" % rc)


try:
    ok = bool(eval(expr))
except Exception as e:  # an expression that cannot be judged is a failure of the item
    ok = False
    print("%s [cannot judge: %s: %s]" % (shown(), type(e).__name__, e))
    sys.exit(1)
text = shown() + (", wasm memory %.0f MB" % wasm_mb if wasm_mb is not None else "")
if ok:
    print(text)
else:
    # What went wrong besides: a sanitizer's SUMMARY, an uncaught exception, a message.
    said = [l.strip() for l in err.splitlines() if l.strip() and not l.startswith("wasm-memory-mb:")]
    summary = [l for l in said if l.startswith("SUMMARY:")] or said[-2:]
    print("%s; expected %s%s" % (text, expr, ("; stderr: " + " | ".join(summary)[:300]) if summary else ""))
sys.exit(0 if ok else 1)
