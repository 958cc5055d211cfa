"""Malformed files never reach a user as a traceback: one line on stderr naming the file, exit 2.

Each case breaks one file of a valid folder (the template) in a way spreadsheets, editors and
accidents do; `barotrend check FOLDER` and `barotrend report --data FOLDER` must both end in
exactly one line ``barotrend: error: <file>...`` and exit status 2. Most cases run in-process
(``cli.main``); a few run as subprocesses, as a user runs them.
"""

import random
import subprocess
import sys
import zipfile

import pytest

from barotrend.cli import main
from barotrend.template import template_tables, write_template


@pytest.fixture
def folder(tmp_path):
    write_template(tmp_path / "f")
    return tmp_path / "f"


def _text(folder, name):
    return (folder / name).read_text(encoding="utf-8")


def _put(folder, name, data: bytes):
    (folder / name).write_bytes(data)


def latin1(f):
    _put(f, "sources.csv", _text(f, "sources.csv").replace("residents'", "résidents'")
         .encode("latin-1"))


def empty(f):
    _put(f, "figures.csv", b"")


def blank_lines(f):
    _put(f, "waves.csv", b"\n\n  \n")


def semicolons(f):
    _put(f, "waves.csv", _text(f, "waves.csv").replace(",", ";").encode())


def tabs(f):
    _put(f, "groups.csv", _text(f, "groups.csv").replace(",", "\t").encode())


def ragged_long(f):
    lines = _text(f, "figures.csv").splitlines()
    _put(f, "figures.csv", "\n".join([lines[0], lines[1] + ",extra,cells"]).encode())


def ragged_short(f):
    lines = _text(f, "waves.csv").splitlines()
    _put(f, "waves.csv", "\n".join([lines[0], lines[1].rsplit(",", 3)[0]]).encode())


def unclosed_quote(f):
    _put(f, "sources.csv", b'source,title,surveys,note\nx.pdf,"An unclosed title,s,\n')


def huge_field(f):
    lines = _text(f, "figures.csv").splitlines()
    _put(f, "figures.csv", (lines[0] + "\n" + lines[1].replace("Among", "A" * 300_000)).encode())


def huge_number(f):
    _put(f, "figures.csv", _text(f, "figures.csv").replace(",250,", "," + "9" * 5000 + ",")
         .encode())


def huge_header(f):
    _put(f, "headlines.csv", ("x" * 150_000 + "\n1\n").encode())


def binary(f):
    rng = random.Random(1)
    _put(f, "waves.csv", bytes(rng.randrange(256) for _ in range(4000)))


def binary_no_nul(f):
    rng = random.Random(2)
    _put(f, "figures.csv", bytes(rng.randrange(1, 256) for _ in range(4000)))


def utf16(f):
    _put(f, "figures.csv", _text(f, "figures.csv").encode("utf-16"))


def zip_as_csv(f):
    with zipfile.ZipFile(f / "figures.csv", "w") as z:
        z.writestr("sheet.xml", "<x/>")


def header_only(f):
    _put(f, "figures.csv", _text(f, "figures.csv").splitlines()[0].encode())


def missing_column(f):
    _put(f, "waves.csv", _text(f, "waves.csv").replace("wave_order", "order").encode())


def repeated_column(f):
    lines = _text(f, "sources.csv").splitlines()
    _put(f, "sources.csv", "\n".join([lines[0] + ",title", lines[1] + ",again"]).encode())


def unnamed_column(f):
    lines = _text(f, "sources.csv").splitlines()
    _put(f, "sources.csv", "\n".join([lines[0] + ",", lines[1] + ",stray"]).encode())


def missing_file(f):
    (f / "sources.csv").unlink()


def folder_as_file(f):
    (f / "waves.csv").unlink()
    (f / "waves.csv").mkdir()


def nan_text(f):
    _put(f, "figures.csv", _text(f, "figures.csv").replace(",64,", ",nan,").encode())


def infinite(f):
    _put(f, "figures.csv", _text(f, "figures.csv").replace(",64,", ",1e999,").encode())


# the template's header widths (the cases edit a copy of the template)
_WIDTH = {f"{t}.csv": len(template_tables()[t].columns) for t in ("figures", "waves")}

CASES = {
    latin1: "sources.csv, line 2: not UTF-8 text: byte 0xe9",
    empty: "figures.csv: the file is empty",
    blank_lines: "waves.csv: the file is empty",
    semicolons: "waves.csv, line 1: the columns are separated by ';'",
    tabs: "groups.csv, line 1: the columns are separated by tabs",
    ragged_long: f"figures.csv, line 2: {_WIDTH['figures.csv'] + 2} values but the header has "
                 f"{_WIDTH['figures.csv']} columns",
    ragged_short: f"waves.csv, line 2: {_WIDTH['waves.csv'] - 3} values but the header has "
                  f"{_WIDTH['waves.csv']} columns",
    unclosed_quote: "sources.csv, line 2: 2 values but the header has 4 columns",
    huge_field: "figures.csv, line 2: a cell is longer than 131072 characters",
    huge_number: "figures.csv, line 2, column 'base': expected a whole number of at most 15 digits",
    huge_header: "headlines.csv",
    binary: "waves.csv, line 1: a NUL byte at byte position",
    binary_no_nul: "figures.csv, line 1: not UTF-8 text",
    utf16: "figures.csv: the file is UTF-16 encoded",
    zip_as_csv: "figures.csv: this is a zip file",
    header_only: "figures.csv: no figures (the table has no rows)",
    missing_column: "waves.csv: missing column(s) wave_order",
    repeated_column: "sources.csv, column 'title': the column appears twice",
    unnamed_column: "sources.csv, line 1: column 5 has no name",
    missing_file: "sources.csv: file not found",
    folder_as_file: "waves.csv: file not found",
    nan_text: "figures.csv, line 2, column 'value': expected a number (got 'nan')",
    infinite: "figures.csv, line 2, column 'value': expected a finite number",
}


def _one_line_error(err: str, words: str):
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("barotrend: error: ")
    assert words in err, err
    assert "unexpected" not in err
    assert len(err) < 600


@pytest.mark.parametrize("breaker", list(CASES), ids=lambda f: f.__name__)
def test_check_and_report_one_line_exit_2(folder, tmp_path, capsys, breaker):
    breaker(folder)
    assert main(["check", str(folder)]) == 2
    err = capsys.readouterr().err
    _one_line_error(err, CASES[breaker])
    assert main(["report", "--data", str(folder), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err == err  # the same message


@pytest.mark.parametrize(("breaker", "command"), [(latin1, "check"), (binary, "check"),
                                                  (ragged_long, "report")],
                         ids=lambda x: getattr(x, "__name__", x))
def test_as_a_user_runs_it(folder, breaker, command):
    breaker(folder)
    args = ["check", str(folder)] if command == "check" else [
        "report", "--data", str(folder), "--out", str(folder / "o")]
    r = subprocess.run([sys.executable, "-m", "barotrend.cli", *args], capture_output=True,
                       text=True)
    assert r.returncode == 2
    _one_line_error(r.stderr, CASES[breaker])


def test_bom_and_crlf_are_fine(folder, capsys):
    for name in ("figures.csv", "waves.csv"):
        text = _text(folder, name).replace("\n", "\r\n")
        _put(folder, name, b"\xef\xbb\xbf" + text.encode())
    assert main(["check", str(folder)]) == 0
    assert capsys.readouterr().err == ""


def test_random_damage_is_always_a_located_error_or_accepted(folder, capsys):
    """Random byte edits (delete, duplicate, insert a comma, quote, newline, NUL or high byte)
    of figures.csv: check either accepts the file (exit 0/1) or names the file in one line."""
    original = (folder / "figures.csv").read_bytes()
    rng = random.Random(20241)
    outcomes = set()
    for _ in range(30):
        data = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(data))
            op = rng.choice(["del", "dup", "ins"])
            if op == "del":
                del data[i]
            elif op == "dup":
                data[i:i] = data[i:i + rng.randint(1, 20)]
            else:
                data[i:i] = rng.choice([b",", b'"', b"\n", b"\x00", b"\xff", b";", b"-"])
        (folder / "figures.csv").write_bytes(bytes(data))
        code = main(["check", str(folder)])
        out = capsys.readouterr()
        outcomes.add(code)
        assert code in (0, 1, 2)
        if code == 2:
            _one_line_error(out.err, "figures.csv")
    assert 2 in outcomes


@pytest.fixture
def microdata(tmp_path):
    rows = ["wave,unit,y"] + [f"W{w},{u},{(u * w) % 5}" for w in (1, 2) for u in range(1, 9)]
    (tmp_path / "m.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path / "m.csv"


def _micro(path, *extra):
    return main(["report", "--microdata", str(path), "--wave", "wave", "--items", "y",
                 "--out", str(path.parent / "o"), "--quiet", *extra])


@pytest.mark.parametrize(("damage", "words"), [
    (lambda t: t.replace("W1,1,", "W1,1é,").encode("latin-1"), "m.csv, line 2: not UTF-8 text"),
    (lambda t: b"", "m.csv: the file is empty"),
    (lambda t: t.replace(",", ";").encode(), "m.csv, line 1: the columns are separated by ';'"),
    (lambda t: t.replace("W1,3,", "W1,3,4,").encode(), "m.csv, line 4: 4 values but the header"),
])
def test_microdata_errors_one_line(microdata, capsys, damage, words):
    microdata.write_bytes(damage(microdata.read_text(encoding="utf-8")))
    assert _micro(microdata) == 2
    _one_line_error(capsys.readouterr().err, words)


def test_microdata_report_still_works(microdata, capsys):
    assert _micro(microdata) == 0
    assert "report written to" in capsys.readouterr().out
    # one wave: a report of the wave (no change, no trend), not "No objects to concatenate"
    microdata.write_text(microdata.read_text(encoding="utf-8").replace("W2", "W1"),
                         encoding="utf-8")
    assert _micro(microdata) == 0
