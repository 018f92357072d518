"""The command line: exit codes, one clear error line, summaries a person can read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kinlink.identity import upn_make

DEF = Path(__file__).resolve().parents[2] / "src" / "kinlink" / "sources" / "definitions"
HEADER = (
    "upn,urn,academic_year,term,sessions_possible,sessions_authorised,"
    "sessions_unauthorised,as_of_date"
)


def run(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from kinlink.cli.app import main; main()", *args],
        capture_output=True,
        text=True,
        env={"KINLINK_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        check=False,
    )


def _extract(folder: Path, name: str, rows: list[str]) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "\n" + "".join(r + "\n" for r in rows))
    return path


def _row(serial: int, term: str = "AUT") -> str:
    return f"{upn_make(999, 2001, 24, serial)},100001,2024/25,{term},120,2,4,2024-12-20"


def test_help_explains_the_pipeline(tmp_path):
    result = run("--help", env_dir=tmp_path)
    assert result.returncode == 0
    for command in ("synth", "ingest", "sources", "quarantine", "status"):
        assert command in result.stdout


def test_ingest_prints_read_loaded_quarantined_and_quarantine_lists_reasons(tmp_path):
    folder = tmp_path / "in"
    _extract(folder, "attendance_2024_25_AUT.csv", [_row(1), _row(2), _row(3, term="WINTER")])
    result = run("ingest", str(folder), env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "attendance" in result.stdout
    assert "1/0/0" in result.stdout
    listing = run("quarantine", "list", env_dir=tmp_path)
    assert listing.returncode == 0
    assert "unknown_code" in listing.stdout
    assert "term" in listing.stdout
    assert upn_make(999, 2001, 24, 3) not in listing.stdout, "raw values only with --show-values"
    summary = run("quarantine", "summary", env_dir=tmp_path)
    assert "unknown_code" in summary.stdout


def test_bad_input_gives_one_error_line_and_exit_code_2(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "attendance_2024_25_AUT.csv").write_bytes(b"")
    result = run("ingest", str(folder), env_dir=tmp_path)
    assert result.returncode == 2
    assert "attendance_2024_25_AUT.csv: file is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_sources_check_says_what_does_not_fit(tmp_path):
    sample = _extract(
        tmp_path / "s", "attendance_x.csv", [_row(1), _row(2, term="WINTER"), _row(3)[:-1] + "32"]
    )
    result = run("sources", "check", str(DEF / "attendance.yaml"), str(sample), env_dir=tmp_path)
    assert result.returncode == 1
    assert "unknown_code" in result.stdout
    assert "1 of 3 rows would load" in result.stdout
    good = _extract(tmp_path / "g", "attendance_y.csv", [_row(1)])
    ok = run("sources", "check", str(DEF / "attendance.yaml"), str(good), env_dir=tmp_path)
    assert ok.returncode == 0, ok.stdout
    assert "fits" in ok.stdout


def test_sources_check_reports_definition_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (DEF / "attendance.yaml")
        .read_text()
        .replace("target: attendance_term", "target: attendence")
    )
    sample = _extract(tmp_path / "s", "attendance_x.csv", [_row(1)])
    result = run("sources", "check", str(bad), str(sample), env_dir=tmp_path)
    assert result.returncode == 2
    assert "target 'attendence' is not a warehouse fact table" in result.stderr


def test_sources_check_names_header_problems_before_rows(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    sample = folder / "attendance_x.csv"
    sample.write_text(HEADER.replace("urn,", "school,") + "\n" + _row(1) + "\n")
    result = run("sources", "check", str(DEF / "attendance.yaml"), str(sample), env_dir=tmp_path)
    assert result.returncode == 1
    assert "unknown column 'school'" in result.stdout
    assert "missing required column 'urn'" in result.stdout
    assert "fix the header first" in result.stdout


def test_an_unknown_option_gives_usage_not_a_traceback(tmp_path):
    result = run("outcomes", "assess", "--bogus", env_dir=tmp_path)
    assert result.returncode == 2
    assert "No such option: --bogus" in result.stderr
    assert "Traceback" not in result.stderr
