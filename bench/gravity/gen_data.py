"""Writes the benchmark inputs (run by run.sh inside bench/.venv).

1. SYNTHETIC panel: 1,000,000 observations, three fixed effects with
   50,000 / 1,000 / 100 levels, y ~ Poisson(exp(0.5 x1 - 0.3 x2 + 0.2 x3 + FE)).
   Known beta = (0.5, -0.3, 0.2). This is synthetic data, not real trade.
2. AGTPA pair-FE RTA model (real data, Yotov et al. 2016 via tradepolicy):
   trade ~ rta | exporter-year + importer-year + pair (domestic pairs share
   one pair level), years 1986-2006 every 4 years.
"""
import sys
import numpy as np
import pandas as pd

out = sys.argv[1]
agtpa = sys.argv[2]
rng = np.random.default_rng(20240601)
n = 1_000_000
f1 = rng.integers(0, 50_000, n)
f2 = rng.integers(0, 1_000, n)
f3 = rng.integers(0, 100, n)
a1 = rng.normal(0, 0.5, 50_000)
a2 = rng.normal(0, 0.5, 1_000)
a3 = rng.normal(0, 0.5, 100)
x1 = rng.normal(size=n)
x2 = rng.normal(size=n) + 0.3 * a1[f1]
x3 = rng.uniform(size=n)
mu = np.exp(0.5 * x1 - 0.3 * x2 + 0.2 * x3 + a1[f1] + a2[f2] + a3[f3])
y = rng.poisson(mu).astype(float)
pd.DataFrame({"y": y, "x1": x1, "x2": x2, "x3": x3, "f1": f1, "f2": f2, "f3": f3}).to_csv(
    f"{out}/synthetic_1m.csv", index=False, float_format="%.17g")

d = pd.read_csv(agtpa)
d = d[(d.year - 1986) % 4 == 0].copy()
codes = {c: i for i, c in enumerate(sorted(set(d.exporter) | set(d.importer)))}
d["exp_year"] = d.exporter.map(codes) * 10000 + d.year
d["imp_year"] = d.importer.map(codes) * 10000 + d.year
d["pair2"] = np.where(d.exporter == d.importer, 0, d.pair_id)
d[["trade", "rta", "exp_year", "imp_year", "pair2"]].to_csv(
    f"{out}/agtpa_rta.csv", index=False, float_format="%.17g")
print(f"wrote {out}/synthetic_1m.csv ({n} rows) and {out}/agtpa_rta.csv ({len(d)} rows)")
