"""One version everywhere: pyproject.toml, the package metadata, procure_desk.RELEASE (the
application bundle's), `--version`, the evidence pack's About sheet and the PDF footer."""

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import openpyxl
import pytest
from test_export_pdf import pdftext
from test_export_xlsx import make_file

import procure_desk
from procure_desk import cli
from procure_desk.exports import Source
from procure_desk.exports.pdf_report import write_pdf
from procure_desk.exports.xlsx_pack import write_xlsx

ROOT = Path(__file__).resolve().parent.parent


def pyproject_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def test_the_version_is_pyprojects_everywhere_in_the_package():
    from importlib.metadata import version

    assert version("procure-desk") == pyproject_version(), "reinstall: make install"
    assert procure_desk.__version__ == pyproject_version()
    # the bundle has no metadata and says RELEASE: it must be the same
    assert pyproject_version() == procure_desk.RELEASE


def _in_child(code: str, tmp_path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_metadata_when_installed_and_release_when_frozen(tmp_path):
    """The metadata is read (here made to say 9.9.9) unless frozen, when RELEASE is used
    and the shipped data is found in the bundle's folder (sys._MEIPASS)."""
    bundle = tmp_path / "bundle"
    (bundle / "resources" / "templates").mkdir(parents=True)
    (bundle / "resources" / "templates" / "buy-small.json").write_bytes(
        (ROOT / "resources" / "templates" / "buy-small.json").read_bytes())
    probe = (
        "import importlib.metadata as md, json, sys\n"
        "md.version = lambda name: '9.9.9'\n"
        "{frozen}"
        "import procure_desk\n"
        "from procure_desk import paths, templates\n"
        "print(json.dumps({{'version': procure_desk.__version__, 'root': str(paths.ROOT),\n"
        "                  'templates': templates.names(), 'frozen': paths.FROZEN}}))\n")
    plain = _in_child(probe.format(frozen=""), tmp_path)
    assert plain == {"version": "9.9.9", "root": str(ROOT),
                     "templates": sorted(p.stem for p in (ROOT / "resources" / "templates")
                                         .glob("*.json")), "frozen": False}
    frozen = _in_child(probe.format(
        frozen=f"sys.frozen = True\nsys._MEIPASS = {str(bundle)!r}\n"), tmp_path)
    assert frozen == {"version": procure_desk.RELEASE, "root": str(bundle),
                      "templates": ["buy-small"], "frozen": True}


def test_version_option(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"ProcureDesk {pyproject_version()}"


def test_evidence_pack_about_sheet_names_the_version(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, example_doc))
    write_xlsx(src, tmp_path / "pack.xlsx")
    about = openpyxl.load_workbook(tmp_path / "pack.xlsx")["About"]
    rows = {r[0]: r[1] for r in about.iter_rows(values_only=True) if r and r[0]}
    assert rows["Produced by"] == f"ProcureDesk {pyproject_version()}"


def test_every_pdf_page_footer_names_the_version(tmp_path, example_doc):
    src = Source.load(make_file(tmp_path, example_doc))
    text = pdftext(write_pdf(src, tmp_path / "report.pdf"))
    pages = text.split("\f")[:-1]
    assert len(pages) > 1
    for k, page in enumerate(pages, start=1):
        assert f"ProcureDesk {pyproject_version()} · Page {k} of {len(pages)}" in page
