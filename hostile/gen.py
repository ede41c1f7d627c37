#!/usr/bin/env python3
"""Writes the hostile inputs of scripts/hostile into a directory: python3 hostile/gen.py DIR

Every input is made here, from examples/order-ops.policy.json (P) and
examples/cases.ndjson; nothing large is committed. The largest files (a 200 MB line, a
100 MB array element) are written in 1 MB pieces, so this script stays small in memory.
Each file's name says what it holds; scripts/hostile says what each must do."""
import copy, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
P = json.load(open(os.path.join(ROOT, "examples", "order-ops.policy.json")))
GOOD = open(os.path.join(ROOT, "examples", "cases.ndjson"), "rb").read().splitlines()[0]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def path(name):
    return os.path.join(OUT, name)


def write_json(name, value):
    with open(path(name), "w") as f:
        json.dump(value, f, separators=(",", ":"))


def write_bytes(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


def case(id_, **extra):
    c = {"id": id_, "kind": "refund", "amount": "120.00", "order_id": "O-1", "region": "eu",
         "opened_at": "2026-11-23T08:00:00Z"}
    c.update(extra)
    return json.dumps(c, separators=(",", ":"), ensure_ascii=False).encode()


# ---- policies ----------------------------------------------------------------------------

# 100 calendars of 48 windows on every day of the week (about 487 KB): their precomputed
# intervals are far over the 256 MiB memory budget.
p = copy.deepcopy(P)
day = ["%02d:%02d-%02d:%02d" % (i // 2, i % 2 * 30, i // 2, i % 2 * 30 + 10) for i in range(48)]
for i in range(100):
    p["calendars"]["c%d" % i] = {"timezone": "Europe/Berlin", "week": {d: day for d in DAYS}}
write_json("policy-calendars-100x48.json", p)

# 1,000 business calendars (the default max_calendars): P's four and 996 more, Monday to
# Friday with a lunch break, in zones every build has, with holidays.
p = copy.deepcopy(P)
zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Europe/London", "Australia/Sydney", "UTC"]
for i in range(996):
    p["calendars"]["b%d" % i] = {
        "timezone": zones[i % len(zones)],
        "week": {d: ["08:00-12:00", "13:00-%02d:00" % (16 + i % 3)] for d in DAYS[:5]},
        "holidays": ["2026-12-25", "2027-01-01"],
    }
write_json("policy-calendars-1000.json", p)

# 10,000 escalation steps x 2,000 target rules x 100 metrics.
p = copy.deepcopy(P)
metrics = ["m%d" % m for m in range(100)]
p["sla"]["metrics"] = metrics
p["sla"]["escalation"] = [{"at": 1 + s / 100, "to": "team_lead"} for s in range(10_000)]
then = {"calendar": "always"}
then.update({m: "4h" for m in metrics})
p["sla"]["targets"]["rules"] = [{"id": "S%d" % i, "when": {"order_id": "O-%d" % i}, "then": then}
                                for i in range(2_000)]
write_json("policy-escalation-10000x2000x100.json", p)

# An enum of 80,000 values.
p = copy.deepcopy(P)
p["fields"]["sku"] = {"type": "enum", "values": ["sku-%06d" % i for i in range(80_000)]}
write_json("policy-enum-80000.json", p)

# 10,000 routing rules (the default max_rules_per_table), each testing a list of 20
# strings of `carrier` (50,000 distinct strings in all), the last one a catch-all.
p = copy.deepcopy(P)
queues = list(P["queues"])
rules = [{"id": "R%d" % i,
          "when": {"carrier": ["c%05d" % ((i * 20 + j) % 50_000) for j in range(20)]},
          "then": {"queue": queues[i % len(queues)], "priority": "P%d" % (1 + i % 3)}} for i in range(9_999)]
rules.append({"id": "R-any", "when": {}, "then": {"queue": "new_order_review", "priority": "P3"}})
p["routing"]["rules"] = rules
write_json("policy-rules-10000x20.json", p)

# `"currency"` twice: P's text with a second currency after the first.
text = open(os.path.join(ROOT, "examples", "order-ops.policy.json")).read()
assert text.count('"currency": "EUR",') == 1
write_bytes("policy-duplicate-key.json",
            text.replace('"currency": "EUR",', '"currency": "EUR", "currency": "USD",').encode())

# Two bands named `aging`.
p = copy.deepcopy(P)
p["sla"]["bands"]["limits"][2]["name"] = "aging"
write_json("policy-duplicate-band.json", p)

# P's keys and a key nested 100,000 arrays deep.
text = json.dumps(P, separators=(",", ":"))
write_bytes("policy-nested-100000.json",
            (text[:-1] + ',"deep":' + "[" * 100_000 + "]" * 100_000 + "}").encode())

# A queue, a band and a metric named `__proto__`, every case routed to that queue.
p = copy.deepcopy(P)
p["queues"]["__proto__"] = {"owner": "proto_team"}
p["routing"]["rules"] = [{"id": "R-proto-%d" % i, "when": {"priority_hint": i} if i < 3 else {},
                          "then": {"queue": "__proto__", "priority": "P%d" % min(i, 3)}} for i in (1, 2, 3)]
p["fields"]["priority_hint"] = {"type": "integer"}
p["sla"]["metrics"] = ["__proto__", "resolution"]
for r in p["sla"]["targets"]["rules"]:
    r["then"]["__proto__"] = r["then"].pop("response")
p["sla"]["bands"]["limits"][-1]["name"] = "__proto__"
p["controls"] = []
write_json("policy-proto.json", p)

# ---- cases -------------------------------------------------------------------------------

# A line that is not UTF-8 between two good ones.
write_bytes("cases-invalid-utf8.ndjson", GOOD + b"\n" + case("C-\xff").replace(b"\xc3\xbf", b"\xff") + b"\n" + GOOD + b"\n")

# NDJSON whose first line is `[]`.
write_bytes("cases-first-line-array.ndjson", b"[]\n" + GOOD + b"\n" + case("C-2") + b"\n")

# A NUL byte inside a line's JSON string, and a line that is one NUL byte.
write_bytes("cases-nul.ndjson", GOOD + b"\n" + case("C-\x00").replace(b"\\u0000", b"\x00") + b"\n\x00\n" + GOOD + b"\n")


def big_record(f, size):
    f.write(case("C-big")[:-1] + b',"note":"')
    piece = b"x" * 1_000_000
    for _ in range(size // len(piece)):
        f.write(piece)
    f.write(b'"}')


# One line of 200 MB between two good lines.
with open(path("cases-line-200mb.ndjson"), "wb") as f:
    f.write(GOOD + b"\n")
    big_record(f, 200_000_000)
    f.write(b"\n" + GOOD + b"\n")

# A case of 100 MB as the second element of a JSON array.
with open(path("cases-array-100mb.json"), "wb") as f:
    f.write(b"[" + GOOD + b",\n")
    big_record(f, 100_000_000)
    f.write(b",\n" + GOOD + b"]\n")

# Case ids holding control characters, a C1 control, bidirectional overrides and line
# separators: the oldest open cases of their queue, so a report table shows them.
write_bytes("cases-control-id.ndjson", b"\n".join([
    case("C-\x1b[2J\x1b[31mforged\rrow\n", opened_at="2020-01-01T00:00:00Z"),
    case("C-\x9b31m\u202egnp.exe\u2028\x7f\x07", kind="fraud_review", fraud_score=0.99,
         opened_at="2020-01-01T00:00:00Z"),
    GOOD]) + b"\n")

# Leap seconds: as opened_at, and as an approval's `at`.
write_bytes("cases-leap-second.ndjson", b"\n".join([
    case("C-leap", opened_at="2026-12-31T23:59:60Z"),
    case("C-leap-approval", amount="120.00", approvals=[{"role": "team_lead", "by": "u-1", "at": "2026-06-30T23:59:60Z"}]),
    GOOD]) + b"\n")

# Ids of 4,096 bytes (the default max_string_len) and 4,097 bytes; ids of 8 and 9 bytes.
write_bytes("cases-long-id.ndjson", case("i" * 4096) + b"\n" + case("i" * 4097) + b"\n")
write_bytes("cases-short-ids.ndjson", case("C-123456") + b"\n" + case("C-1234567") + b"\n")
