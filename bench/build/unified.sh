#!/usr/bin/env bash
# One DataFusion build (issue 28): compare cargo's unit graphs (nightly `--unit-graph`, no
# compiling) of the builds a fresh clone makes — the README's first command (`cargo run -p
# pivot-cli`), the workspace tests (`cargo nextest run --workspace`), the Python module
# (crates/pivot-py, built by maturin) and the Ballista build of .ci/run — and print, for each,
# the crates under `datafusion` whose features or dependencies differ from the workspace tests'
# (nothing listed: the build reuses the same DataFusion). Exit 1 if the CLI or the Python
# module would build DataFusion again. Needs the nightly toolchain (for `-Z unstable-options`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${TMPDIR:-/tmp}/pivot-unit-graphs"
mkdir -p "$out"
ug() { cargo +nightly "$@" --unit-graph -Z unstable-options; }
ug test --workspace --no-run >"$out/tests.json"
ug build -p pivot-cli >"$out/cli.json"
ug test -p pivot-engine -p pivot-cli --features pivot-cli/ballista --no-run >"$out/ballista.json"
(cd crates/pivot-py && PYO3_PYTHON="${PYO3_PYTHON:-python3}" ug build >"$out/python.json")
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def load(name):
    return json.load(open(f"{out}/{name}.json"))["units"]
def profile(u):
    return {k: v for k, v in u["profile"].items() if k != "name"}
def signer(units):
    memo = {}
    def sig(i):
        if i not in memo:
            u = units[i]
            memo[i] = hash((u["pkg_id"].split(" (")[0], u["target"]["name"], tuple(u["features"]),
                            u["mode"], json.dumps(profile(u), sort_keys=True),
                            tuple(sorted(sig(d["index"]) for d in u["dependencies"]))))
        return memo[i]
    return sig
def differences(a_units, b_units, root="datafusion"):
    sa, sb = signer(a_units), signer(b_units)
    seen, found = set(), set()
    def walk(i, j):
        if (i, j) in seen or sa(i) == sb(j):
            return
        seen.add((i, j))
        ua, ub = a_units[i], b_units[j]
        own = set(ua["features"]) ^ set(ub["features"])
        da = {(a_units[d["index"]]["target"]["name"], a_units[d["index"]]["mode"]): d["index"] for d in ua["dependencies"]}
        db = {(b_units[d["index"]]["target"]["name"], b_units[d["index"]]["mode"]): d["index"] for d in ub["dependencies"]}
        only = set(da) ^ set(db)
        if own or only or profile(ua) != profile(ub):
            found.add(f"{ua['target']['name']}: features {sorted(own)} deps {sorted(k[0] for k in only)}")
        for k in set(da) & set(db):
            walk(da[k], db[k])
    ia = [i for i, u in enumerate(a_units) if u["target"]["name"] == root and u["mode"] == "build"]
    ib = [i for i, u in enumerate(b_units) if u["target"]["name"] == root and u["mode"] == "build"]
    walk(ia[0], ib[0])
    return sorted(found)
tests = load("tests")
bad = False
for name in ["cli", "python", "ballista"]:
    d = differences(tests, load(name))
    print(f"{name}: {'same DataFusion build as the workspace tests' if not d else 'another DataFusion build'}")
    for line in d:
        print(f"  {line}")
    if d and name != "ballista":
        bad = True
sys.exit(1 if bad else 0)
PY
