"""The ``barotrend`` command line: ``report`` (the main job), ``check``, ``template`` and ``data``.

Every error reaches the user as one line, ``barotrend: error: <where>: <what>``, naming the file,
line and column where there is one, with exit status 2; no traceback (set ``BAROTREND_DEBUG=1``
to see one).

Heavy modules (pandas, scipy, statsmodels, matplotlib) load inside the commands that need them,
so ``barotrend --help`` and a usage error answer at once.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from barotrend import datasets

#: The embedded data set used when no --data is given (``datasets.DEFAULT``, named here so that
#: the parser and ``--help`` need not import pandas; a test keeps the two equal).
DEFAULT_DATA = "nhs_leadership_2012_13"

EXIT_CODES = """exit status:
  0  done (check: the files are valid and every check of the published figures passes)
  1  check: the files are valid, but the published figures are inconsistent (a finding
     about the source, e.g. a share impossible on its base): see the lines marked fail
  2  your input is wrong or unreadable (a malformed or invalid file, a missing column, an
     unknown data set, a bad option): one line says which file, line and column
"""

EPILOG = """examples:
  barotrend report                      report on the embedded HSJ data into ./report
  barotrend report --data my_figures/ --out out/   report on your own figures (folder of CSVs)
  barotrend report --data nhs_leadership_2012_13 --data my_waves/ --data book.xlsx
                                        report on the embedded data and yours combined
  barotrend report --microdata resp.csv --wave wave --items y1,y2 --cluster unit --group gp
                                        report on your respondent-level data (csv or .sav)
  barotrend check my_figures/           validate your files and check the published figures
  barotrend template my_figures/        write the tables with one worked example row each
  barotrend data                        list the embedded figures per survey and wave

The format of every table and column: docs/FORMAT.md.

""" + EXIT_CODES


def _summary(name: str) -> str:
    from barotrend import datasets

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


def load_data(specs: list[str]) -> datasets.Dataset:
    """The data sets named by ``--data`` options (embedded names, folders, workbooks), combined."""
    from barotrend import datasets

    specs = list(dict.fromkeys(specs))
    parts = [datasets.load(s, partial=len(specs) > 1) for s in specs]
    return parts[0] if len(parts) == 1 else datasets.combine(*parts)


def _check(specs: list[str]) -> int:
    import pandas as pd

    from barotrend.figures.checks import check_figures

    d = load_data(specs)
    print(f"barotrend check: {d.name}: {len(d.figures)} figures, {len(d.waves)} waves, "
          f"{len(d.sources)} sources, {len(d.headlines)} headlines, {len(d.groups)} group "
          "relations: the files are valid")
    for note in d.notes:
        print(f"note: {note}")
    checks = check_figures(d.figures, d.waves, groups=d.groups)
    kind = checks["kind"] if "kind" in checks.columns else pd.Series("source", checks.index)
    print()
    for r, k in zip(checks.itertuples(index=False), kind, strict=True):
        tag = " (your file?)" if k == "input" else ""
        print(f"{r.verdict:>12}  {r.check:<16} {r.figure_ids}: {r.detail}{tag}")
    verdict = checks["verdict"]
    source_fail = int(((verdict == "fail") & (kind != "input")).sum())
    input_fail = int(((verdict == "fail") & (kind == "input")).sum())
    warned = int((verdict == "warning").sum())
    print(f"\n{len(checks)} checks: {int((verdict == 'fail').sum())} failed, "
          f"{int((verdict == 'pass').sum())} passed, "
          f"{int((verdict == 'not testable').sum())} not testable"
          + (f", {warned} warning{'s' if warned != 1 else ''}" if warned else ""))
    if input_fail:
        print(f"Your file is probably wrong: {input_fail} check(s) of how the table states the "
              "figures fail (exit 2).")
        return 2
    if source_fail:
        print(f"The files are valid, but the published figures are inconsistent: {source_fail} "
              "check(s) fail (a finding about the source, not an error in your files; exit 1).")
        return 1
    print("The files are valid and the published figures are consistent (exit 0).")
    return 0


def _microdata_report(args):
    if args.data:
        raise ValueError("give either --data or --microdata, not both")
    if not args.wave or not args.items:
        raise ValueError("--microdata needs --wave COL and --items A,B")
    path = Path(args.microdata)
    if not path.is_file():
        raise FileNotFoundError(f"no such microdata file: {args.microdata}")
    import pandas as pd

    from barotrend.report.microdata import build_microdata_report
    from barotrend.validation import DataValidationError

    try:
        return build_microdata_report(
            args.microdata, wave=args.wave, items=[i.strip() for i in args.items.split(",")],
            weights=args.weights, strata=args.strata, cluster=args.cluster, fpc=args.fpc,
            group=args.group, out=args.out, quiet=args.quiet)
    except (ValueError, KeyError, TypeError, pd.errors.ParserError) as err:
        msg = _message(err)
        raise DataValidationError(msg if path.name in msg else f"{path.name}: {msg}") from None


def _template(args) -> int:
    from barotrend.template import write_template

    files = write_template(args.folder, xlsx=args.xlsx, overwrite=args.force)
    print(f"barotrend: wrote {', '.join(p.name for p in files)} into {args.folder}: one worked "
          f"example row each; replace them with your figures, then run `barotrend check "
          f"{args.folder}` (column reference: docs/FORMAT.md)")
    return 0


def _message(err: BaseException) -> str:
    """One line saying what went wrong, where."""
    # pandas and the validation module are looked up, not imported: an error of theirs means
    # they are loaded, and an early error (no such file) must not wait for pandas to import.
    pd = sys.modules.get("pandas")
    validation = sys.modules.get("barotrend.validation")
    pd_empty = (pd.errors.EmptyDataError,) if pd else ()
    pd_parser = (pd.errors.ParserError,) if pd else ()
    if validation and isinstance(err, validation.DataValidationError):
        msg = str(err)
    elif isinstance(err, UnicodeDecodeError):
        msg = (f"not UTF-8 text: byte 0x{err.object[err.start]:02x} at byte position "
               f"{err.start}; save the file as UTF-8")
    elif isinstance(err, pd_empty):
        msg = f"an empty file ({err})"
    elif isinstance(err, KeyError):
        msg = f"missing column or key {err.args[0]!r}" if err.args else "missing key"
    elif isinstance(err, OSError) and err.filename and err.strerror:
        msg = f"{err.filename}: {err.strerror}"
    elif isinstance(err, MemoryError):
        msg = "out of memory (a file or a number too large to process)"
    elif isinstance(err, (ValueError, OSError, csv.Error, *pd_parser)):
        msg = str(err)
    else:
        msg = (f"{type(err).__name__}: {err} (unexpected; set BAROTREND_DEBUG=1 to see where, "
               "and please report it)")
    msg = " ".join(msg.split())
    return msg if len(msg) <= 2000 else msg[:1997] + "..."


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="barotrend", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Honest statistics for barometer surveys tracked wave after wave.")
    sub = parser.add_subparsers(dest="command")
    data_help = ("embedded data set name, a folder with waves.csv, figures.csv, sources.csv "
                 "[headlines.csv, groups.csv], or an .xlsx workbook with those sheets; repeat "
                 "to combine several (default: " + DEFAULT_DATA + ")")
    p_rep = sub.add_parser(
        "report", help="write the HTML report, figures and CSV tables",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXIT_CODES,
        description="Write DIR/index.html (self-contained), a PNG per figure and a CSV per "
        "table (waves, checks, verdicts, series, comparisons).")
    p_rep.add_argument("--data", action="append", metavar="NAME_OR_PATH", help=data_help)
    p_rep.add_argument("--out", default="report", metavar="DIR", help="output folder (default "
                       "./report)")
    p_rep.add_argument("--quiet", action="store_true", help="no progress messages or warnings")
    micro = p_rep.add_argument_group(
        "microdata (instead of --data)", "--microdata FILE needs --wave COL and --items A,B; "
        "the design columns are optional")
    micro.add_argument("--microdata", metavar="FILE", help="respondent file, .csv (UTF-8) or "
                       ".sav, all waves stacked")
    micro.add_argument("--wave", metavar="COL", help="wave column (required with --microdata)")
    micro.add_argument("--items", metavar="A,B", help="outcome columns, comma-separated "
                       "(required with --microdata)")
    for opt in ("weights", "strata", "cluster", "fpc", "group"):
        micro.add_argument(f"--{opt}", metavar="COL", help=f"{opt} column (optional)")
    p_chk = sub.add_parser(
        "check", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXIT_CODES,
        help="validate figures files (everything report reads) and check the published "
        "figures; exit 1 if the figures are inconsistent, 2 if the files are wrong",
        description="Validate every table `report` reads (waves, figures, sources, headlines, "
        "groups) with the same messages, print notes (extra columns kept, shares that look "
        "like proportions), then run every consistency check of the published figures.")
    p_chk.add_argument("path", nargs="*", help="folder (or its figures.csv) or .xlsx workbook; "
                       "several are combined (default: the embedded data)")
    p_chk.add_argument("--data", action="append", metavar="NAME_OR_PATH", help=data_help)
    p_tpl = sub.add_parser(
        "template", help="write the tables with their headers and one worked example row",
        description="Write sources.csv, waves.csv, figures.csv, headlines.csv and groups.csv "
        "into FOLDER, each with every column and one worked example row (a made-up "
        "residents' panel) that passes `barotrend check`.")
    p_tpl.add_argument("folder", help="folder to write (created)")
    p_tpl.add_argument("--xlsx", action="store_true", help="also write the tables as sheets "
                       "of FOLDER/barotrend_template.xlsx")
    p_tpl.add_argument("--force", action="store_true", help="overwrite existing tables")
    p_data = sub.add_parser("data", help="validate an embedded data set and print its figures")
    p_data.add_argument("--dataset", default=DEFAULT_DATA,
                        help=f"embedded data set (default {DEFAULT_DATA})")
    return parser


def _run(args) -> int:
    if args.command == "report":
        if args.microdata:
            files = _microdata_report(args)
        else:
            from barotrend.report.build import build_report

            data = load_data(args.data or [DEFAULT_DATA])
            if not args.quiet:
                for note in data.notes:
                    print(f"barotrend: note: {note}", file=sys.stderr)
            files = build_report(data, args.out, quiet=args.quiet)
        print(f"barotrend: report written to {files['html']} ({len(files) - 1} tables and "
              "figures beside it)")
        return 0
    if args.command == "check":
        from barotrend import datasets

        for p in args.path:
            if not Path(p).exists() and p not in datasets.list_names():
                raise FileNotFoundError(f"no such file or folder: {p}")
        return _check([*args.path, *(args.data or [])] or [DEFAULT_DATA])
    if args.command == "template":
        return _template(args)
    print(_summary(getattr(args, "dataset", DEFAULT_DATA)))
    if args.command is None:
        print("\nRun `barotrend report` for the full report, `barotrend --help` for more.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            code = _run(args)
        except Exception as err:  # noqa: BLE001 - every error ends as one line, exit 2
            if os.environ.get("BAROTREND_DEBUG"):
                raise
            print(f"barotrend: error: {_message(err)}", file=sys.stderr)
            return 2
    if not getattr(args, "quiet", False):
        for text in dict.fromkeys(" ".join(str(w.message).split()) for w in caught):
            print(f"barotrend: warning: {text}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
