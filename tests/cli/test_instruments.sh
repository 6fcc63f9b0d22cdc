#!/usr/bin/env bash
# The instruments of evopar run: the summary's usage, sampler and counter fields, meta's
# machine and counters description, counters that cover worker processes and threads,
# and --sample-ms 0 / --counters off that switch them off.
. "$(dirname "$0")/lib.sh"

run() { "$EVOPAR" run --quiet "$@"; }

# two busy workers: persistent with the whole generation in the workers (~2 s here)
OMP_NUM_THREADS=1 run --strategy persistent --worker-scope all --workers 2 --pop 200 --gens 80 \
	--seed 5 --out "$T/p.jsonl"
check "persistent run exits 0" [ $? = 0 ]
run --strategy threads --workers 2 --pop 200 --gens 30 --seed 5 --out "$T/t.jsonl"
check "threads run exits 0" [ $? = 0 ]
run --strategy fork-pool --start spawn --workers 2 --pop 60 --gens 4 --seed 5 --out "$T/f.jsonl"
check "fork-pool spawn run exits 0" [ $? = 0 ]
run --pop 60 --gens 4 --seed 5 --sample-ms 0 --counters off --out "$T/off.jsonl"
check "a run with the instruments off exits 0" [ $? = 0 ]

# the same checks for every run: fields, meta, timeline, counters accounted for
cat >"$T/common.py" <<'PY'
import json, sys

def load(path):
    recs = [json.loads(l) for l in open(path)]
    return recs[0], recs[-1]

SUMMARY = ("wall_s", "cpu_user_s", "cpu_sys_s", "children_cpu_user_s", "children_cpu_sys_s",
           "cpu_s", "cpu_utilisation", "max_rss_kb", "children_max_rss_kb", "threads_max",
           "threads_mean", "processes_max", "voluntary_ctx_switches",
           "involuntary_ctx_switches", "counters", "sampler")
META = ("evopar_version", "git_commit", "time", "host", "cpu_model", "online_cores",
        "memory_bytes", "compiler", "cflags", "blas", "environment", "config", "counters")

def common(path):
    m, s = load(path)
    assert m["type"] == "meta" and s["type"] == "summary", path
    for k in SUMMARY:
        assert k in s, (path, k)
    for k in META:
        assert k in m, (path, k)
    for k in ("library", "path", "config", "parallel", "threads"):
        assert k in m["blas"], (path, "blas", k)
    c = m["counters"]
    for k in ("enabled", "asked", "read", "unavailable", "scope"):
        assert k in c, (path, "counters", k)
    # every asked event is read or has a reason, never both
    assert set(c["read"]) | set(c["unavailable"]) == set(c["asked"]) or not c["enabled"], path
    assert not set(c["read"]) & set(c["unavailable"]), path
    assert all(isinstance(v, str) and v for v in c["unavailable"].values()), path
    if s["counters"] is not None:
        assert set(s["counters"]) == set(c["read"]), path
    if s["sampler"] is not None:
        tl = s["sampler"]["timeline"]
        n = len(tl["t_s"])
        assert n > 0 and len(tl["threads"]) == n and len(tl["processes"]) == n, path
        assert all(a <= b for a, b in zip(tl["t_s"], tl["t_s"][1:])), path
        # each point holds the maxima of its samples: together, the run's maxima
        assert max(tl["threads"]) == s["threads_max"], path
        assert max(tl["processes"]) == s["processes_max"], path
        assert s["sampler"]["samples"] >= 1 and s["sampler"]["cpu_s"] >= 0, path
        assert s["threads_max"] >= s["threads_mean"] > 0, path
    assert abs(s["cpu_utilisation"] * s["wall_s"] - s["cpu_s"]) < 1e-3, path
    return m, s

def task_clock_s(m, s):
    if "perf::TASK-CLOCK" not in m["counters"]["read"]:
        print("  note: perf::TASK-CLOCK not read here:",
              m["counters"]["unavailable"].get("perf::TASK-CLOCK"), file=sys.stderr)
        return None
    return s["counters"]["perf::TASK-CLOCK"] * 1e-9
PY

check "persistent: processes and counters cover the workers" python3 - "$T" <<'PY'
import sys; sys.path.insert(0, sys.argv[1]); from common import *
m, s = common(sys.argv[1] + "/p.jsonl")
assert s["processes_max"] >= 3, s["processes_max"]        # main and two workers
assert m["environment"].get("OMP_NUM_THREADS") == "1"
tc = task_clock_s(m, s)
if tc is not None:
    # the workers' CPU time is in the children's rusage; the task clock must hold it too
    assert tc >= 0.9 * s["cpu_s"], (tc, s["cpu_s"])
    if s["cpu_utilisation"] > 1.2:
        assert tc > s["wall_s"], (tc, s["wall_s"])
    else:
        print("  note: the cores were not both ours (utilisation %.2f): task clock %.2f s,"
              " wall %.2f s" % (s["cpu_utilisation"], tc, s["wall_s"]), file=sys.stderr)
PY
check "threads: the pool's threads are seen and counted" python3 - "$T" <<'PY'
import sys; sys.path.insert(0, sys.argv[1]); from common import *
m, s = common(sys.argv[1] + "/t.jsonl")
assert s["threads_max"] >= 3 and s["processes_max"] == 1, (s["threads_max"], s["processes_max"])
tc = task_clock_s(m, s)
assert tc is None or tc >= 0.9 * s["cpu_s"], (tc, s["cpu_s"])
PY
check "fork-pool spawn: exec'd workers are in the tree" python3 - "$T" <<'PY'
import sys; sys.path.insert(0, sys.argv[1]); from common import *
m, s = common(sys.argv[1] + "/f.jsonl")
assert s["processes_max"] >= 3, s["processes_max"]
tc = task_clock_s(m, s)
assert tc is None or tc >= 0.9 * s["cpu_s"], (tc, s["cpu_s"])
PY
check "instruments off: nulls in the summary, off in meta" python3 - "$T" <<'PY'
import sys; sys.path.insert(0, sys.argv[1]); from common import *
m, s = common(sys.argv[1] + "/off.jsonl")
for k in ("threads_max", "threads_mean", "processes_max", "sampler", "counters"):
    assert s[k] is None, k
assert m["counters"]["enabled"] is False and m["counters"]["read"] == []
assert m["config"]["sample-ms"] == 0 and m["config"]["counters"] == "off"
PY

run --sample-ms -1 --out "$T/bad.jsonl" 2>"$T/err"
check "--sample-ms -1: exit 2" [ $? = 2 ]
check "--sample-ms -1: the message names the option" grep -q -- "--sample-ms" "$T/err"
run --counters maybe --out "$T/bad.jsonl" 2>/dev/null
check "--counters maybe: exit 2" [ $? = 2 ]
check "bad options write nothing" [ ! -e "$T/bad.jsonl" ]

finish
