"""The reference designs of tests/reference/make_fixtures_models.R, shared by the model tests.

Built from the same CSV files R read (tests/reference/data) so the tests of chisq, contrasts,
glm and intervals compare against R's numbers on identical designs: one-stage cluster
(``dclus1``), stratified (``dstrat``), two-stage with fpc at both stages (``dclus2``), JK1
replicate weights exported by R (``jk1``) and the post-stratified one-stage cluster design
(``dclus1_ps``).
"""

import functools
import json
from pathlib import Path

import pandas as pd

from barotrend.design import Design
from barotrend.weighting import poststratify

DATA = Path(__file__).parent / "reference" / "data"
FIX = json.loads((Path(__file__).parent / "reference" / "fixtures_models.json").read_text())
DESIGNS = ["dclus1", "dstrat", "dclus2", "jk1", "dclus1_ps"]


def _read(name):
    frame = pd.read_csv(DATA / f"{name}.csv")
    frame.columns = [c.replace(".", "_") for c in frame.columns]
    return frame


@functools.cache
def design(name):
    """The designs of make_fixtures_models.R, built from the same CSV files."""
    if name == "dclus1":
        return Design(_read("apiclus1"), weights="pw", cluster="dnum", fpc="fpc")
    if name == "dstrat":
        return Design(_read("apistrat"), weights="pw", strata="stype", fpc="fpc")
    if name == "dclus2":
        return Design(_read("apiclus2"), cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    if name == "dclus1_ps":  # R: postStratify(dclus1, ~sch.wide, <apipop counts>)
        return poststratify(design("dclus1"), "sch_wide", FIX["poststrata"]["sch_wide"])
    # JK1 replicate weights exported by R (as.svrepdesign(dclus1, "JK1")), R's scale/rscales.
    rw = pd.read_csv(DATA / "apiclus1_jk1.csv")
    jk = FIX["jk1"]
    return Design.from_replicate_weights(pd.concat([_read("apiclus1"), rw], axis=1),
                                         list(rw.columns), weights="pw", type="JK1",
                                         scale=jk["scale"], rscales=jk["rscales"], mse=jk["mse"])
