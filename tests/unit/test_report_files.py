"""`rcm export`'s one ending: each file with its errors, exit 1 when any failed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from shared.cli.output import report_files


def test_a_file_with_errors_fails_the_command_and_is_listed(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    written = [(tmp_path / "a.837", []), (tmp_path / "b.837", ["SE01 count wrong"])]
    with pytest.raises(typer.Exit) as ended:
        report_files(written, tmp_path, checked=True, as_json=True)
    assert ended.value.exit_code == 1
    listed = json.loads(capsys.readouterr().out)
    assert [f["errors"] for f in listed] == [[], ["SE01 count wrong"]] and all(f["checked"] for f in listed)


def test_valid_files_end_quietly(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    report_files([(tmp_path / "a.271", [])], tmp_path, checked=True)
    assert "1 file(s) written" in capsys.readouterr().out
