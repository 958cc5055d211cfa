"""The ``barotrend`` command line."""

from __future__ import annotations

import argparse
import sys

from barotrend import datasets


def _summary(name: str) -> str:
    d = datasets.load(name)
    w = d.waves.copy()
    w["figures"] = w.apply(
        lambda r: int(((d.figures["survey"] == r["survey"]) & (d.figures["wave"] == r["wave"])).sum()),
        axis=1,
    )
    cols = ["survey", "wave", "wave_label", "date", "date_inferred", "population_units",
            "respondents", "responding_units", "figures"]
    out = [f"barotrend: data set {d.name!r}, {len(d.figures)} published figures, "
           f"{len(d.waves)} waves, {len(d.sources)} sources (validated)", "", "Waves",
           w[cols].to_string(index=False)]
    fig_cols = ["item", "category", "group", "statistic", "value", "base", "implied"]
    for _, wr in w.iterrows():
        part = d.figures[(d.figures["survey"] == wr["survey"]) & (d.figures["wave"] == wr["wave"])]
        shown = part[fig_cols].assign(category=part["category"].map(_clip))
        out += ["", f"{wr['survey']} / {wr['wave']} ({wr['wave_label']}): {len(part)} "
                f"figure{'' if len(part) == 1 else 's'}",
                shown.to_string(index=False) if len(part) else "(none)"]
    return "\n".join(out)


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="barotrend", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    p_data = sub.add_parser("data", help="validate an embedded data set and print its figures")
    p_data.add_argument("--dataset", default=datasets.DEFAULT,
                        help=f"embedded data set (default {datasets.DEFAULT})")
    args = parser.parse_args(argv)
    try:
        print(_summary(getattr(args, "dataset", datasets.DEFAULT)))
    except (ValueError, FileNotFoundError) as err:
        print(f"barotrend: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
