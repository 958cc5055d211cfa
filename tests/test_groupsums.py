"""The chunked cell sums against np.bincount over all rows (bit for bit)."""

import numpy as np
import pytest

from barotrend.design.groupsums import cell_sums, small_int_counts


@pytest.fixture
def rows():
    rng = np.random.default_rng(7)
    n = 10_001  # not a multiple of any chunk size used below
    return {"unit": rng.integers(0, 37, n), "dom": rng.integers(0, 4, n),
            "lev": rng.integers(0, 3, n), "w": rng.uniform(0.5, 3, n),
            "a": rng.normal(size=n), "b": rng.uniform(1, 2, n)}


@pytest.mark.parametrize("chunk", [1, 7, 1000, 1 << 14, 1 << 20])
def test_sums_equal_bincount_exactly(rows, chunk):
    r = rows
    u, d, lev, w, a, b = (r[k] for k in ("unit", "dom", "lev", "w", "a", "b"))
    terms = [((w, a), "cell"), ((w,), "domain"), ((w, b), "domain"), ((w, a, a), "domain"),
             ((w, a, b), "domain"), ((), "domain"), ((w,), "cell")]
    got = cell_sums(u, 37, terms, domain=d, n_domain=4, level=lev, n_level=3, chunk=chunk)
    ud = u * 4 + d
    uc = ud * 3 + lev
    want = [np.bincount(uc, w * a, minlength=37 * 12).reshape(37, 12),
            np.bincount(ud, w, minlength=148).reshape(37, 4),
            np.bincount(ud, w * b, minlength=148).reshape(37, 4),
            np.bincount(ud, w * a * a, minlength=148).reshape(37, 4),
            np.bincount(ud, w * a * b, minlength=148).reshape(37, 4),
            np.bincount(ud, minlength=148).reshape(37, 4).astype(float),
            np.bincount(uc, w, minlength=37 * 12).reshape(37, 12)]
    for g, x in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, x)


def test_no_domain_no_level(rows):
    u, w, a = rows["unit"], rows["w"], rows["a"]
    (s,) = cell_sums(u, 40, [((w, a), "cell")], chunk=333)  # 3 units hold no row
    np.testing.assert_array_equal(s[:, 0], np.bincount(u, w * a, minlength=40))
    assert s.shape == (40, 1) and (s[37:] == 0).all()


def test_inputs_not_written(rows):
    before = {k: v.copy() for k, v in rows.items()}
    w, a = rows["w"], rows["a"]
    cell_sums(rows["unit"], 37, [((w, a), "cell"), ((w, a, a), "domain")],
              domain=rows["dom"], n_domain=4, chunk=100)
    for k, v in rows.items():
        np.testing.assert_array_equal(v, before[k])


def test_bad_term_kind(rows):
    with pytest.raises(ValueError, match="term 0 has over='unit'"):
        cell_sums(rows["unit"], 37, [((rows["w"],), "unit")])


def test_small_int_counts():
    v = np.array([3, 0, 3, 1, 3], dtype=np.uint16)
    np.testing.assert_array_equal(small_int_counts(v, limit=10, chunk=2), [1, 1, 0, 3])
    np.testing.assert_array_equal(small_int_counts(np.array([5, 5]), limit=5), [0] * 5 + [2])
    assert small_int_counts(np.array([1, 6]), limit=5) is None  # above the limit
    assert small_int_counts(np.array([0, 2, -1]), limit=5, chunk=2) is None  # negative
    big = np.array([2**63 - 1], dtype=np.uint64)
    assert small_int_counts(big, limit=10) is None


def test_domain_totals(rows):
    u, d, w, a = rows["unit"], rows["dom"], rows["w"], rows["a"]
    per_unit, total = cell_sums(u, 37, [((w, a, a), "domain"), ((w, a, a), "domain total")],
                                domain=d, n_domain=4, chunk=999)
    np.testing.assert_array_equal(total, np.bincount(d, w * a * a, minlength=4))
    np.testing.assert_allclose(per_unit.sum(0), total, rtol=1e-13)
    (one,) = cell_sums(u, 37, [((w, a), "domain total")], chunk=999)
    assert one.shape == (1,) and one[0] == pytest.approx(w @ a, rel=1e-13)
    (cnt,) = cell_sums(u, 37, [((), "domain total")], chunk=999)
    assert cnt.tolist() == [len(u)]


@pytest.mark.parametrize("chunk", [7, 1000, 1 << 14])
def test_centred_factors(rows, chunk):
    # a - c (one centre) and a - c[dom] b (a centre per domain), made chunk by chunk, against
    # the same products formed whole; a one-domain total of w a' a' (a dot product)
    from barotrend.design.groupsums import Centred

    u, d, w, a, b = (rows[k] for k in ("unit", "dom", "w", "a", "b"))
    c1 = Centred(a + 1e6, 1e6)
    cvec = np.array([0.5, -1.0, 2.0, 3.0])
    c2 = Centred(a, cvec, b, codes=d)
    s_a, s_aa = cell_sums(u, 37, [((w, c1), "cell"), ((w, c1, c1), "domain total")], chunk=chunk)
    a1 = (a + 1e6) - 1e6
    np.testing.assert_allclose(s_a[:, 0], np.bincount(u, w * a1, minlength=37), rtol=1e-12)
    np.testing.assert_allclose(s_aa[0], np.sum(w * a1 * a1), rtol=1e-12)
    s_a2, s_ab = cell_sums(u, 37, [((w, c2), "domain"), ((w, c2, b), "domain total")],
                           domain=d, n_domain=4, chunk=chunk)
    a2 = a - cvec[d] * b
    np.testing.assert_allclose(s_a2, np.bincount(u * 4 + d, w * a2, minlength=148)
                               .reshape(37, 4), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s_ab, np.bincount(d, w * a2 * b, minlength=4), rtol=1e-12)


@pytest.mark.parametrize("chunk", [7, 1000, 1 << 14])
def test_rows_as_units_and_group_totals(rows, chunk):
    # unit=None: every row its own unit (no code array), the products as they are; groups=:
    # the domain totals over other codes than the cells' (bincount's sums, bit for bit)
    u, d, lev, w, a = (rows[k] for k in ("unit", "dom", "lev", "w", "a"))
    n = len(w)
    s_a, s_lev, s_aa, cnt = cell_sums(None, n, [((w, a), "cell"), ((w,), "cell"),
                                                ((w, a, a), "domain total"),
                                                ((), "domain total")],
                                      level=lev, n_level=3, groups=d, n_groups=4, chunk=chunk)
    want = np.zeros((n, 3))
    want[np.arange(n), lev] = w * a
    np.testing.assert_array_equal(s_a, want)
    want[np.arange(n), lev] = w
    np.testing.assert_array_equal(s_lev, want)
    np.testing.assert_array_equal(s_aa, np.bincount(d, w * a * a, minlength=4))
    np.testing.assert_array_equal(cnt, np.bincount(d, minlength=4))
    # groups also apply with cells coded in unit (here the units themselves)
    s_u, s_g = cell_sums(u, 37, [((w,), "domain"), ((w, a), "domain total")], groups=d,
                         n_groups=4, chunk=chunk)
    np.testing.assert_array_equal(s_u[:, 0], np.bincount(u, w, minlength=37))
    np.testing.assert_array_equal(s_g, np.bincount(d, w * a, minlength=4))
