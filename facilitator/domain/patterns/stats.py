"""Small statistics helpers: tails of chi-square, binomial and hypergeometric
distributions and the Benjamini-Hochberg step, in numpy (no scipy)."""

from __future__ import annotations

import math

import numpy as np

# -- small statistics helpers -------------------------------------------------

def _chi2_sf(x: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Upper tail of the chi-square distribution for integer degrees of freedom (closed form)."""
    x = np.asarray(x, dtype=float)
    df = np.asarray(df, dtype=int)
    out = np.ones_like(x)
    half = np.maximum(x, 0.0) / 2.0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for nu in np.unique(df):
            if nu < 1:
                continue
            sel = df == nu
            h = half[sel]
            expo = np.exp(-h)
            if nu % 2 == 0:
                term = np.ones_like(h)
                total = term.copy()
                for i in range(1, nu // 2):
                    term = term * h / i
                    total += term
                val = expo * total
            else:
                root = np.sqrt(h)
                val = np.array([math.erfc(r) for r in root])
                if nu > 1:
                    term = root / (math.sqrt(math.pi) / 2.0)
                    total = term.copy()
                    for i in range(1, (nu - 1) // 2):
                        term = term * h / (i + 0.5)
                        total += term
                    val = val + expo * total
            out[sel] = np.nan_to_num(val, nan=0.0)
    return np.clip(out, 0.0, 1.0)


def _binom_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed exactly in log space."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lp, lq = math.log(p), math.log1p(-p)
    lgn = math.lgamma(n + 1)
    logs = [lgn - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
            for i in range(k, n + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * sum(math.exp(v - top) for v in logs))


def _hypergeom_sf(k: np.ndarray, successes: np.ndarray, draws: np.ndarray,
                  population: int) -> np.ndarray:
    """P(Y >= k) for Y ~ Hypergeometric(population, successes, draws), elementwise.

    Meant for over-represented cells (k above the mean), where the terms of the
    tail fall off monotonically, so the sum stops once they no longer matter.
    """
    k = np.asarray(k, dtype=np.int64)
    big_k = np.asarray(successes, dtype=np.int64)
    n = np.asarray(draws, dtype=np.int64)
    logfact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, population + 1)))])

    def log_choose(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return logfact[a] - logfact[b] - logfact[a - b]

    upper = np.minimum(big_k, n)
    lower = np.maximum(0, n - (population - big_k))
    start = np.maximum(k, lower)
    total = np.zeros(k.shape)
    log_all = log_choose(np.full_like(n, population), n)
    active = start <= upper
    step = 0
    while active.any():
        j = np.nonzero(active)[0]
        kk = start[j] + step
        term = np.exp(log_choose(big_k[j], kk) + log_choose(population - big_k[j], n[j] - kk)
                      - log_all[j])
        total[j] += term
        done = (kk + 1 > upper[j]) | ((term < 1e-15 * total[j]) & (kk > big_k[j] * n[j]
                                                                    / population))
        active[j[done]] = False
        step += 1
    return np.clip(total, 0.0, 1.0)


def _bh(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) for one family of tests."""
    p = np.asarray(pvalues, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    ranked = p[order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(ranked, 1.0)
    return out


def _r(x: float, digits: int = 4) -> float:
    """A float rounded for JSON (and stable across platforms)."""
    value = round(float(x), digits)
    return 0.0 if value == 0 else value
