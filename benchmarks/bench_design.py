"""Speed of barotrend.Design against numpy references, R ``survey``, ``svy`` and ``samplics``.

Synthetic design: 1,000,000 rows, 50 strata, 2,000 PSUs (40 per stratum), 10 domains, a numeric
``y`` and a boolean ``q``. Timed (best of ``--repeat``):

* mean of ``y`` with SE, proportion of ``q`` with a logit CI, mean of ``y`` by domain;
* the same for a two-stage without-replacement design (20,000 second-stage units, 10 per PSU,
  fpc at both stages), mean by domain.

barotrend is timed three ways: ``cold_s``, the first call on a freshly built design (the
build itself untimed); ``warm_s``, a later call on one design; ``with_build_s``, the build plus
the cold call. Each is the best of ``--repeat`` rounds, and every round times the cold call,
the warm call and the two numpy references one after the other (interleaved, so that drift
in a shared machine's speed does not enter the ratios). What a design remembers
between calls (``Design._memo``, at most 9 entries, oldest evicted): for each ``by`` column
specification its domain labels, the int64 domain code of every row and the rows per domain;
the weight totals per (finest sampling unit x domain), which depend on nothing but the design
and those codes; and whether every weight is positive (known from validation at build).
Nothing computed from ``y`` (or any analysis variable) is remembered: every call still makes
one chunked pass over the rows (``w y`` and ``w y^2`` scatter-added per unit x domain, 16k
rows at a time) and checks ``y`` for missing values. The cold call codes the ``by`` column
(a min/max and a counting pass) and adds the weight totals to its pass. Both are reported as
ratios to the numpy references, which always get pre-coded ids.

Two numpy references, both over pre-coded integer PSU and domain ids (no id coding, no
validation, no result frame):

* ``numpy_ref`` (bare, the issue's single-pass reference): ``np.bincount`` of ``w`` and ``w y``
  over PSU (x domain) codes plus the stratified variance algebra; estimate and SE only
  (the proportion: the share of ``True`` with its logit CI).
* ``numpy_full``: the same quantities barotrend returns, computed honestly in numpy: estimate,
  SE, t interval with the design df (PSUs - strata holding the domain), row count ``n`` and the
  design effect against SRS with replacement (R's ``deff="replace"``), which needs
  ``sum w y^2`` and the row count per domain (two more passes over the rows); the proportion
  for both levels. Both references are checked against barotrend before timing.

R ``survey`` is timed inside R (``system.time`` around ``svydesign`` + estimator, CSV reading
excluded). ``svy`` (polars based) is timed building its design afresh on every call
(``svy.Sample(data, svy.Design(...))`` + estimator + ``to_polars()``; the one-off pandas ->
polars conversion excluded, as R's CSV reading is). ``samplics`` has no design object: each
``TaylorEstimator.estimate`` call takes the design arrays afresh; its two-stage fpc variance is
not timed. Peers are timed best of ``min(repeat, 2)`` (seconds per call); each is skipped
with a message when not installed. Every peer's numbers are compared with barotrend's on the
same data in the same run, so like is compared with like: max relative difference per
quantity (``rel_*``; svy: estimate, SE, interval, df, n; samplics: estimate, SE, interval, df;
R: estimate and SE, plus the ``svyciprop`` interval), with the reason in ``note`` where a
method differs (samplics gives domain intervals the full-design df).
Peak memory: ``tracemalloc`` peak during build + estimates, against the bytes of the input
columns.

Usage: python benchmarks/bench_design.py [--rows N] [--repeat K] [--no-r] [--no-peers]
[--r-timeout S]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special, stats

from barotrend.design import Design

H, P, D, SSU_PER_PSU = 50, 2000, 10, 10


def make_data(n, seed=1):
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, P, n)
    ssu = rng.integers(0, SSU_PER_PSU, n)
    stratum = psu % H
    u = rng.normal(size=P)[psu]
    return pd.DataFrame({
        "stratum": stratum, "psu": psu, "ssu": ssu,
        "w": rng.uniform(1, 3, n), "y": 5 + u + rng.normal(size=n),
        "q": rng.uniform(size=n) < special.expit(-0.8 + 0.5 * u),
        "dom": rng.integers(0, D, n),
        "fpc1": np.full(n, 4 * P // H), "fpc2": np.full(n, 50),
    })


# ---------------------------------------------------------------- bare numpy reference
def _strat_var(t, psu_stratum):
    nh = np.bincount(psu_stratum, minlength=H).astype(float)
    tbar = np.stack([np.bincount(psu_stratum, t[:, j], minlength=H) for j in range(t.shape[1])],
                    axis=1) / nh[:, None]
    d = t - tbar[psu_stratum]
    return ((nh / (nh - 1))[psu_stratum][:, None] * d * d).sum(0)


def ref_mean(w, y, psu, psu_stratum):
    wy = w * y
    sw = np.bincount(psu, w, minlength=P)
    swy = np.bincount(psu, wy, minlength=P)
    m = swy.sum() / sw.sum()
    t = ((swy - m * sw) / sw.sum())[:, None]
    return m, np.sqrt(_strat_var(t, psu_stratum))[0]


def ref_prop(w, q, psu, psu_stratum):
    p, se = ref_mean(w, q.astype(float), psu, psu_stratum)
    tq = stats.t.ppf(0.975, P - H)
    half = tq * se / (p * (1 - p))
    return p, se, special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)


def ref_by(w, y, psu, dom, psu_stratum):
    code = psu * D + dom
    sw = np.bincount(code, w, minlength=P * D).reshape(P, D)
    swy = np.bincount(code, w * y, minlength=P * D).reshape(P, D)
    W = sw.sum(0)
    m = swy.sum(0) / W
    t = (swy - m * sw) / W
    return m, np.sqrt(_strat_var(t, psu_stratum))


def _df_by(present, psu_stratum):
    """PSUs minus strata holding each domain, from a (PSU x domain) presence matrix."""
    strata = np.stack([np.bincount(psu_stratum, present[:, j], minlength=H)
                       for j in range(present.shape[1])], axis=1) > 0
    return (present.sum(0) - strata.sum(0)).astype(float)


def _full(m, v, sw, saa, n, psu_stratum):
    """Shared tail of the full references: SE, t interval, df, n and deff (SRS with replacement,
    ``V_srs = W / (n - 1) * sum w (y - m)^2 / W^2``)."""
    W = sw.sum(0)
    se = np.sqrt(v)
    df = _df_by(sw > 0, psu_stratum)
    q = stats.t.ppf(0.975, df)
    ss = saa - m * m * W  # sum w (y - m)^2 = sum w y^2 - m^2 W
    deff = v / (W / (n - 1) * ss / W**2)
    return m, se, m - q * se, m + q * se, df, n, deff


def ref_mean_full(w, y, psu, psu_stratum):
    wy = w * y
    sw = np.bincount(psu, w, minlength=P)
    swy = np.bincount(psu, wy, minlength=P)
    m = swy.sum() / sw.sum()
    t = ((swy - m * sw) / sw.sum())[:, None]
    v = _strat_var(t, psu_stratum)
    return _full(np.array([m]), v, sw[:, None], np.array([wy @ y]), np.array([float(len(y))]),
                 psu_stratum)


def ref_prop_full(w, q, psu, psu_stratum):
    """Both levels (False, True): shares, SEs, logit intervals, df, n, deff."""
    sw = np.bincount(psu, w, minlength=P)
    swq = np.bincount(psu * 2 + q, w, minlength=2 * P).reshape(P, 2)
    W = sw.sum()
    p = swq.sum(0) / W
    t = (swq - sw[:, None] * p) / W
    v = _strat_var(t, psu_stratum)
    se = np.sqrt(v)
    df = _df_by(sw[:, None] > 0, psu_stratum)[0]
    half = stats.t.ppf(0.975, df) * se / (p * (1 - p))
    lo, hi = special.expit(special.logit(p) - half), special.expit(special.logit(p) + half)
    n = float(len(q))
    deff = v / (W / (n - 1) * W * p * (1 - p) / W**2)
    return p, se, lo, hi, np.array([df, df]), np.array([n, n]), deff


def ref_by_full(w, y, psu, dom, psu_stratum):
    code = psu * D + dom
    wy = w * y
    sw = np.bincount(code, w, minlength=P * D).reshape(P, D)
    swy = np.bincount(code, wy, minlength=P * D).reshape(P, D)
    W = sw.sum(0)
    m = swy.sum(0) / W
    t = (swy - m * sw) / W
    v = _strat_var(t, psu_stratum)
    n = np.bincount(dom, minlength=D).astype(float)
    wy *= y
    saa = np.bincount(dom, wy, minlength=D)
    return _full(m, v, sw, saa, n, psu_stratum)


def _check_full(res, r):
    """Assert that a full reference agrees with a barotrend result frame."""
    got = [r[c].to_numpy(dtype=float) for c in ("estimate", "se", "ci_low", "ci_high", "df",
                                                "n", "deff")]
    for name, a, b in zip(("estimate", "se", "ci_low", "ci_high", "df", "n", "deff"), res, got,
                          strict=True):
        assert np.allclose(a, b, rtol=1e-9, atol=0), (name, a, b)


def best(f, k):
    times = []
    for _ in range(k):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


R_SCRIPT = r"""
suppressMessages(library(survey))
d <- read.csv("{csv}")
d$q <- as.numeric(d$q == "True")
tm <- function(expr) unname(system.time(expr)["elapsed"])
out <- function(tag, x) cat(tag, sprintf("%.17g", unname(x)), "\n")
t_mean <- tm({{des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
               r_mean <- svymean(~y, des)}})
out("time", t_mean)
out("mean", c(coef(r_mean), SE(r_mean)))
t_prop <- tm({{des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
               r_prop <- svyciprop(~q, des, method = "logit")}})
out("time", t_prop)
out("prop", c(coef(r_prop), sqrt(attr(r_prop, "var")), attr(r_prop, "ci")))
t_by <- tm({{des <- svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = d)
             r_by <- svyby(~y, ~dom, des, svymean)}})
out("time", t_by)
out("by", c(coef(r_by), SE(r_by)))
d$ssu2 <- d$psu * 100 + d$ssu
t_two <- tm({{des2 <- svydesign(id = ~psu + ssu2, strata = ~stratum, fpc = ~fpc1 + fpc2,
                                weights = ~w, data = d)
              r_two <- svyby(~y, ~dom, des2, svymean)}})
out("time", t_two)
out("two", c(coef(r_two), SE(r_two)))
"""


def _parse_r(text):
    """Times (s, inf when not reached) and tagged estimate lines of the R script's output."""
    times, est = [], {}
    for line in text.splitlines():
        tag, *vals = line.split()
        if tag == "time":
            times.append(float(vals[0]))
        elif vals:
            est[tag] = np.array([float(v) for v in vals])
    return times + [float("inf")] * (4 - len(times)), est


def run_r(df, timeout):
    """Time R ``survey`` (inside R) and read back its estimates; None when R is missing."""
    if shutil.which("Rscript") is None:
        print("R: Rscript not found, skipped")
        return None
    ok = subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True)
    if ok.returncode != 0:
        print("R: package 'survey' not installed, skipped")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "bench.csv"
        df.to_csv(csv, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT.format(csv=csv))
        try:
            out = subprocess.run(["Rscript", str(script)], capture_output=True, text=True,
                                 timeout=timeout)
        except subprocess.TimeoutExpired as e:
            text = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            print(f"R: timed out after {timeout} s")
            return _parse_r(text)
    if out.returncode != 0:
        print("R failed:", out.stderr[-500:])
        return None
    return _parse_r(out.stdout)


def r_rows(times, est, bt):
    """R as a peer: its times and the agreement of its numbers with barotrend's."""
    rows = []
    for task, tag, t in zip(TASKS, ("mean", "prop", "by", "two"), times, strict=True):
        if tag not in est:
            continue
        v = est[tag]
        if tag == "prop":  # svyciprop: share of True, its SE and logit interval
            peer = {"estimate": v[:1], "se": v[1:2], "ci_low": v[2:3], "ci_high": v[3:4]}
            mine = bt[task].iloc[[1]]
        else:
            half = len(v) // 2
            peer = {"estimate": v[:half], "se": v[half:]}
            mine = bt[task]
        rows.append({"peer": "R survey", "task": task, "peer_s": t,
                     **{f"rel_{q}": _rel(peer[q], mine[q].to_numpy(dtype=float))
                        for q in peer}, "note": "CSV reading excluded"})
    return rows


TASKS = ("mean + SE", "proportion + logit CI", "mean by 10 domains",
         "two-stage fpc, mean by domain")
QUANTITIES = ("estimate", "se", "ci_low", "ci_high", "df", "n")


def _rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _agreement(peer, mine):
    """Max relative difference per quantity between a peer's numbers and barotrend's."""
    return {f"rel_{q}": _rel(peer[q], mine[q].to_numpy(dtype=float)) for q in QUANTITIES
            if q in peer}


def run_svy(df, bt, k):
    """svy: build ``svy.Sample`` + ``svy.Design`` afresh, estimate, ``to_polars()``."""
    try:
        import polars as pl
        import svy
    except ImportError:
        print("svy: package not installed (pip install svy), skipped")
        return []
    data = pl.from_pandas(df.assign(ssu2=df["psu"] * 100 + df["ssu"]))

    def one():
        return svy.Design(stratum="stratum", psu="psu", wgt="w")

    def two():
        return svy.Design(stratum="stratum", psu="psu", ssu="ssu2", wgt="w",
                          pop_size=svy.PopSize(psu="fpc1", ssu="fpc2"))

    calls = (
        (one, lambda s: s.estimation.mean("y")),
        (one, lambda s: s.estimation.prop("q", ci_method="logit")),
        (one, lambda s: s.estimation.mean("y", by="dom")),
        (two, lambda s: s.estimation.mean("y", by="dom")),
    )
    rows = []
    for task, (design, est) in zip(TASKS, calls, strict=True):
        def run(design=design, est=est):
            return est(svy.Sample(data, design())).to_polars()

        out = run()
        peer = {"estimate": out["est"], "se": out["se"], "ci_low": out["lci"],
                "ci_high": out["uci"], "df": out["df"], "n": out["n"]}
        rows.append({"peer": f"svy {svy.__version__}", "task": task, "peer_s": best(run, k),
                     **_agreement(peer, bt[task]), "note": ""})
    return rows


def run_samplics(df, bt, k):
    """samplics: ``TaylorEstimator(param).estimate(arrays...)`` (no design object to reuse)."""
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived"
            import samplics
            from samplics import TaylorEstimator
            from samplics.utils import PopParam
    except ImportError:
        print("samplics: package not installed (pip install samplics), skipped")
        return []
    a = {c: df[c].to_numpy() for c in ("w", "y", "q", "stratum", "psu", "dom")}
    calls = (
        (PopParam.mean, "y", None, ""),
        (PopParam.prop, "q", None, ""),
        (PopParam.mean, "y", "dom",
         "CI differs: samplics' domain intervals use the full-design df, "
         "barotrend/R/svy the domain df"),
    )
    rows = []
    for task, (param, var, dom, note) in zip(TASKS, calls, strict=False):
        def run(param=param, var=var, dom=dom):
            est = TaylorEstimator(param)
            est.estimate(a[var], a["w"], stratum=a["stratum"], psu=a["psu"],
                         domain=None if dom is None else a[dom])
            return est

        est = run()

        def values(x):
            return list(x.values()) if isinstance(x, dict) else [x]

        dfree = est.degree_of_freedom
        npts = len(values(est.point_est))
        peer = {"estimate": values(est.point_est), "se": values(est.stderror),
                "ci_low": values(est.lower_ci), "ci_high": values(est.upper_ci),
                "df": values(dfree) if isinstance(dfree, dict) else [dfree] * npts}
        agree = _agreement(peer, bt[task])
        rows.append({"peer": f"samplics {samplics.__version__}", "task": task,
                     "peer_s": best(run, k), **agree,
                     "note": note if agree["rel_df"] > 0 else "n not reported"})
    print("samplics: two-stage fpc variance not timed (its estimate() takes one fpc)")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-peers", action="store_true", help="skip svy and samplics")
    ap.add_argument("--r-timeout", type=float, default=900)
    args = ap.parse_args()
    df = make_data(args.rows)
    k = args.repeat
    w, y, q = (df[c].to_numpy() for c in ("w", "y", "q"))
    qi = q.astype(np.int64)
    psu, dom = df["psu"].to_numpy(), df["dom"].to_numpy()
    psu_stratum = np.arange(P) % H

    def build():
        return Design(df, weights="w", strata="stratum", cluster="psu")

    def build2():
        return Design(df, weights="w", strata="stratum", cluster=["psu", "ssu"],
                      fpc=["fpc1", "fpc2"])

    d, d2 = build(), build2()
    bt_calls = (lambda: d.mean("y"), lambda: d.proportion("q"), lambda: d.mean("y", by="dom"),
                lambda: d2.mean("y", by="dom"))
    bt = {task: f() for task, f in zip(TASKS, bt_calls, strict=True)}

    # correctness of both references against barotrend
    m, se = ref_mean(w, y, psu, psu_stratum)
    r = bt[TASKS[0]]
    assert np.isclose(r["estimate"][0], m) and np.isclose(r["se"][0], se)
    p_, se_, lo, hi = ref_prop(w, q, psu, psu_stratum)
    r = bt[TASKS[1]]
    assert np.allclose([p_, se_, lo, hi], r.loc[1, ["estimate", "se", "ci_low", "ci_high"]])
    mb, seb = ref_by(w, y, psu, dom, psu_stratum)
    rb = bt[TASKS[2]]
    assert np.allclose(rb["estimate"], mb) and np.allclose(rb["se"], seb)
    _check_full(ref_mean_full(w, y, psu, psu_stratum), bt[TASKS[0]])
    _check_full(ref_prop_full(w, qi, psu, psu_stratum), bt[TASKS[1]])
    _check_full(ref_by_full(w, y, psu, dom, psu_stratum), bt[TASKS[2]])

    rows = []
    t_build = best(build, k)
    t_build2 = best(build2, k)

    def timed(f):
        t0 = time.perf_counter()
        f()
        return time.perf_counter() - t0

    def interleaved(call, builder, f_bt, f_ref, f_full):
        """Best of k rounds, each timing in turn: the first call on a fresh design (cold; the
        build not timed), a later call on one design (warm), the bare and the full numpy
        reference. Interleaving keeps the machine's drift out of the ratios."""
        f_bt()  # warm-up: the memo is filled before the warm calls are timed
        t = {"cold": [], "warm": [], "ref": [], "full": []}
        for _ in range(k):
            fresh = builder()
            t["cold"].append(timed(lambda fresh=fresh: call(fresh)))
            t["warm"].append(timed(f_bt))
            if f_ref is not None:
                t["ref"].append(timed(f_ref))
                t["full"].append(timed(f_full))
        return {key: min(v) if v else float("nan") for key, v in t.items()}

    cold_calls = ((lambda x: x.mean("y"), build), (lambda x: x.proportion("q"), build),
                  (lambda x: x.mean("y", by="dom"), build),
                  (lambda x: x.mean("y", by="dom"), build2))
    refs = ((lambda: ref_mean(w, y, psu, psu_stratum),
             lambda: ref_mean_full(w, y, psu, psu_stratum)),
            (lambda: ref_prop(w, q, psu, psu_stratum),
             lambda: ref_prop_full(w, qi, psu, psu_stratum)),
            (lambda: ref_by(w, y, psu, dom, psu_stratum),
             lambda: ref_by_full(w, y, psu, dom, psu_stratum)),
            (None, None))
    for name, f_bt, (f_ref, f_full), tb, (f_cold, builder) in zip(
            TASKS, bt_calls, refs, (t_build,) * 3 + (t_build2,), cold_calls, strict=True):
        tt = interleaved(f_cold, builder, f_bt, f_ref, f_full)
        t_cold, t_bt, t_ref, t_full = tt["cold"], tt["warm"], tt["ref"], tt["full"]
        # a warm call gives exactly the first call's numbers
        pd.testing.assert_frame_equal(f_bt(), bt[name], check_exact=True)
        rows.append({"task": name, "cold_s": t_cold, "warm_s": t_bt,
                     "with_build_s": t_cold + tb, "numpy_ref_s": t_ref,
                     "cold_vs_numpy": t_cold / t_ref, "warm_vs_numpy": t_bt / t_ref,
                     "numpy_full_s": t_full, "cold_vs_full": t_cold / t_full,
                     "warm_vs_full": t_bt / t_full, "with_build_vs_numpy": (t_cold + tb) / t_ref})

    # peak memory
    cols = ["stratum", "psu", "ssu", "w", "y", "q", "dom", "fpc1", "fpc2"]
    input_bytes = int(df[cols].memory_usage(index=False, deep=True).sum())
    tracemalloc.start()
    dd = build2()
    dd.mean("y", by="dom")
    dd.proportion("q")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    res = pd.DataFrame(rows)
    rr = None if args.no_r else run_r(df, args.r_timeout)
    peers = []
    if rr:
        res["R_survey_s"] = rr[0]
        res["R_over_barotrend_build"] = res["R_survey_s"] / res["with_build_s"]
        peers += r_rows(*rr, bt)
    elif args.no_r:
        print("R: skipped (--no-r)")
    if args.no_peers:
        print("svy, samplics: skipped (--no-peers)")
    else:
        kp = max(1, min(k, 2))  # peers take seconds per call
        peers += run_svy(df, bt, kp) + run_samplics(df, bt, kp)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    print(f"rows {args.rows:,}, strata {H}, PSUs {P}, SSUs {P * SSU_PER_PSU:,}, domains {D}; "
          f"build {t_build:.3f} s (two-stage {t_build2:.3f} s)")
    print(res.to_string(index=False, float_format=lambda x: f"{x:.4g}"))
    if peers:
        pt = pd.DataFrame(peers)
        with_build = dict(zip(res["task"], res["with_build_s"], strict=True))
        pt.insert(3, "barotrend_with_build_s", pt["task"].map(with_build))
        pt.insert(4, "peer_over_barotrend", pt["peer_s"] / pt["barotrend_with_build_s"])
        rel = [f"rel_{q}" for q in QUANTITIES if f"rel_{q}" in pt]
        pt = pt[[c for c in pt if c not in rel and c != "note"] + rel + ["note"]]
        print("peers (time building the design afresh + estimating; rel_* = max relative "
              "difference from barotrend's numbers):")
        print(pt.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    print(f"peak traced memory {peak / 2**20:.1f} MiB = {peak / input_bytes:.2f} x the input "
          f"columns ({input_bytes / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
