"""The ``barotrend`` command line: ``report`` (the main job), ``check`` and ``data``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from barotrend import datasets
from barotrend.validation import DataValidationError

EPILOG = """examples:
  barotrend report                      report on the embedded HSJ data into ./report
  barotrend report --data my_figures/ --out out/   report on your own figures (folder of CSVs)
  barotrend report --microdata resp.csv --wave wave --items y1,y2 --cluster unit --group gp
                                        report on your respondent-level data (csv or .sav)
  barotrend check my_figures/           consistency checks of your figures
  barotrend data                        list the embedded figures per survey and wave
"""


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


def _check(path: str) -> int:
    from barotrend.figures.checks import check_figures

    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"no such file or folder: {path}")
    waves, figures, _ = datasets.read_tables(folder)
    checks = check_figures(figures, waves)
    for r in checks.itertuples(index=False):
        print(f"{r.verdict:>12}  {r.check:<16} {r.figure_ids}: {r.detail}")
    failed = int((checks["verdict"] == "fail").sum())
    print(f"\n{len(checks)} checks: {failed} failed, "
          f"{int((checks['verdict'] == 'pass').sum())} passed, "
          f"{int((checks['verdict'] == 'not testable').sum())} not testable")
    return 1 if failed else 0


def _microdata_report(args):
    from barotrend.report.microdata import build_microdata_report

    if args.data != datasets.DEFAULT:
        raise ValueError("give either --data or --microdata, not both")
    if not args.wave or not args.items:
        raise ValueError("--microdata needs --wave COL and --items A,B")
    return build_microdata_report(
        args.microdata, wave=args.wave, items=[i.strip() for i in args.items.split(",")],
        weights=args.weights, strata=args.strata, cluster=args.cluster, fpc=args.fpc,
        group=args.group, out=args.out, quiet=args.quiet)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="barotrend", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Honest statistics for barometer surveys tracked wave after wave.")
    sub = parser.add_subparsers(dest="command")
    p_rep = sub.add_parser("report", help="write the HTML report, figures and CSV tables",
                           description="Write DIR/index.html (self-contained), a PNG per figure "
                           "and a CSV per table.")
    p_rep.add_argument("--data", default=datasets.DEFAULT, metavar="NAME_OR_FOLDER",
                       help="embedded data set name, or a folder with waves.csv, figures.csv, "
                       f"sources.csv [and headlines.csv] (default {datasets.DEFAULT})")
    p_rep.add_argument("--out", default="report", metavar="DIR", help="output folder (default "
                       "./report)")
    p_rep.add_argument("--quiet", action="store_true", help="no progress messages")
    micro = p_rep.add_argument_group("microdata (instead of --data)")
    micro.add_argument("--microdata", metavar="FILE", help="respondent file, .csv or .sav, "
                       "all waves stacked")
    micro.add_argument("--wave", metavar="COL", help="wave column (required with --microdata)")
    micro.add_argument("--items", metavar="A,B", help="outcome columns, comma-separated")
    for opt in ("weights", "strata", "cluster", "fpc", "group"):
        micro.add_argument(f"--{opt}", metavar="COL", help=f"{opt} column (optional)")
    p_chk = sub.add_parser("check", help="consistency checks of a figures folder; exit 1 if any "
                           "check fails, 2 if the files are malformed")
    p_chk.add_argument("path", help="folder (or its figures.csv) with waves.csv and sources.csv")
    p_data = sub.add_parser("data", help="validate an embedded data set and print its figures")
    p_data.add_argument("--dataset", default=datasets.DEFAULT,
                        help=f"embedded data set (default {datasets.DEFAULT})")
    args = parser.parse_args(argv)
    try:
        if args.command == "report" and args.microdata:
            files = _microdata_report(args)
        elif args.command == "report":
            from barotrend.report.build import build_report

            files = build_report(args.data, args.out, quiet=args.quiet)
        if args.command == "report":
            print(f"barotrend: report written to {files['html']} ({len(files) - 1} tables and "
                  "figures beside it)")
            return 0
        if args.command == "check":
            return _check(args.path)
        print(_summary(getattr(args, "dataset", datasets.DEFAULT)))
        if args.command is None:
            print("\nRun `barotrend report` for the full report, `barotrend --help` for more.")
    except (DataValidationError, ValueError, FileNotFoundError, OSError) as err:
        print(f"barotrend: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
