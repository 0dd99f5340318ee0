"""Fits one PPML model with pyfixest.fepois and prints coefficients and fit time."""
import sys
import time
import pandas as pd
import pyfixest as pf

path, formula = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_csv(path)
t1 = time.perf_counter()
fit = pf.fepois(formula, data=df, vcov="iid")
coefs = fit.coef()
t2 = time.perf_counter()
for name, b in coefs.items():
    print(f"coef,{name},{b:.12e}")
print(f"nobs,{fit._N}")
print(f"read_seconds,{t1 - t0:.3f}")
print(f"fit_seconds,{t2 - t1:.3f}")
