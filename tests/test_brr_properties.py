"""Properties of BRR / Fay replicates with R's default Hadamard matrices (any number of strata).

With two PSUs per stratum and a Hadamard matrix whose rows 2..H+1 each sum to zero (full
orthogonal balance, which R's ``hadamard()`` gives), the BRR variance of an estimated total is
exactly the with-replacement linearised variance ``sum_h (t_h1 - t_h2)^2``, ``t_hj`` the
weighted PSU totals (Wolter 2007, section 3.3): replicate ``r`` gives
``T_r - T = sum_h s_hr (t_h1 - t_h2)`` with ``s_hr = +-1``, and
``(1/R) sum_r (sum_h s_hr d_h)^2 = sum_h d_h^2`` by the orthogonality of the columns. Fay's
factors ``2 - rho, rho`` scale every deviation by ``1 - rho`` and ``scale = 1/(R (1-rho)^2)``
undoes it. Independent of R: algebra, checked for every number of strata hypothesis draws.
"""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from barotrend.design import Design
from barotrend.design.hadamard import hadamard


@st.composite
def paired_designs(draw):
    h = draw(st.integers(1, 60))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(h):
        for p in (1, 2):
            for _ in range(int(rng.integers(1, 4))):
                rows.append({"s": f"h{s:03d}", "psu": f"{s}-{p}", "w": float(rng.uniform(1, 5)),
                             "y": float(rng.normal(10, 3))})
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=seed % 1000).reset_index(drop=True)
    return frame, draw(st.sampled_from([0.0, 0.3, 0.5]))


@given(paired_designs())
def test_brr_total_variance_is_the_linearised_one(case):
    frame, rho = case
    d = Design(frame, weights="w", strata="s", cluster="psu")
    r = d.replicate("BRR", fay_rho=rho if rho else None)
    H = frame["s"].nunique()
    assert r.replicate_weights.shape[1] == hadamard(H).shape[0]
    t = (frame["w"] * frame["y"]).groupby([frame["s"], frame["psu"]]).sum()
    expected = np.sqrt(sum((g.iloc[0] - g.iloc[1]) ** 2 for _, g in t.groupby(level=0)))
    got = r.total("y")["se"].iloc[0]
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    np.testing.assert_allclose(got, d.total("y")["se"].iloc[0], rtol=1e-9)


@given(st.integers(1, 400))
def test_default_hadamard_is_balanced(n):
    h = 2 * hadamard(n).astype(np.int64) - 1
    assert h.shape[0] > n
    np.testing.assert_array_equal(h.T @ h, h.shape[0] * np.eye(h.shape[0], dtype=np.int64))
    assert (h[1:n + 1].sum(axis=1) == 0).all()  # the rows the strata use are balanced
