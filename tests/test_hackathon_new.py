"""``aidojo new``: listing, intake suggestions, copying a template, and copies that pass their own tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidojo.cli import app as cli_app
from aidojo.hackathon import NewProjectError, create_project, list_templates, suggest
from aidojo.hackathon.testing import load_app

REPO = Path(__file__).resolve().parents[1]
MINE = ("gomi_guide", "faq_bot", "doc_search")
runner = CliRunner()


def test_every_template_folder_with_a_toml_is_listed():
    names = [t.name for t in list_templates()]
    for name in MINE:
        assert name in names
    folders = sorted(p.name for p in (REPO / "hackathon_templates").iterdir() if (p / "template.toml").is_file())
    assert sorted(names) == folders


def test_list_prints_one_line_per_template():
    result = runner.invoke(cli_app, ["new", "--list"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == len(list_templates())
    assert any(line.startswith("faq_bot") and "問い合わせ一次対応" in line for line in lines)


def test_a_new_template_folder_is_picked_up(tmp_path, monkeypatch):
    (tmp_path / "kids").mkdir()
    (tmp_path / "kids" / "template.toml").write_text(
        'name = "kids"\ntitle_ja = "子育て案内"\ndescription = "保育園の入園手続きを案内"\nkeywords = ["保育園", "子育て"]\n',
        encoding="utf-8")
    (tmp_path / "no_toml").mkdir()
    monkeypatch.setenv("AIDOJO_TEMPLATES_DIR", str(tmp_path))
    assert [t.name for t in list_templates()] == ["kids"]
    assert suggest("保育園の入園の問い合わせが多い")[0].template.name == "kids"


@pytest.mark.parametrize(("problem", "expected"), [
    ("窓口や電話でマイナンバーカードについての同じ問い合わせが多く、職員の負担になっている", "faq_bot"),
    ("粗大ごみやごみの分別の問い合わせに、外国人住民にも分かるように答えたい", "gomi_guide"),
    ("新人がマニュアルや手引きのどこに何が書いてあるか探せない", "doc_search"),
])
def test_from_problem_suggests_the_closest_template(problem, expected):
    best = suggest(problem)[0]
    assert best.template.name == expected
    assert "一致" in best.reason
    result = runner.invoke(cli_app, ["new", "--from-problem", problem])
    assert result.exit_code == 0 and result.output.splitlines()[0].startswith(f"1. {expected}")


def test_empty_problem_is_refused_in_japanese():
    result = runner.invoke(cli_app, ["new", "--from-problem", "  "])
    assert result.exit_code == 1 and "困りごと" in result.output


def test_new_copies_without_caches_and_writes_the_team(tmp_path):
    cache = REPO / "hackathon_templates" / "gomi_guide" / "__pycache__"
    made = not cache.exists()
    cache.mkdir(exist_ok=True)
    dest = tmp_path / "team_a"
    try:
        result = runner.invoke(cli_app, ["new", "gomi_guide", str(dest), "--team", "チーム みどり"])
    finally:
        if made:
            cache.rmdir()
    assert result.exit_code == 0, result.output
    assert (dest / "app.py").is_file() and (dest / "data" / "LICENSE-README.md").is_file()
    assert not list(dest.rglob("__pycache__")) and not (dest / "logs").exists()
    meta = tomllib.loads((dest / "template.toml").read_text(encoding="utf-8"))
    assert meta["team"] == "チーム みどり" and meta["name"] == "gomi_guide"
    assert (dest / "README.md").read_text(encoding="utf-8").startswith("> チーム：チーム みどり")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".team_a")]  # no staging folder left


def test_new_refuses_a_non_empty_folder(tmp_path):
    dest = tmp_path / "team_b"
    dest.mkdir()
    (dest / "memo.txt").write_text("大事なメモ", encoding="utf-8")
    result = runner.invoke(cli_app, ["new", "faq_bot", str(dest)])
    assert result.exit_code == 1 and "空ではありません" in result.output
    assert [p.name for p in dest.iterdir()] == ["memo.txt"]


def test_new_accepts_an_empty_folder_and_rejects_bad_names(tmp_path):
    (tmp_path / "empty").mkdir()
    assert (create_project("doc_search", tmp_path / "empty") / "app.py").is_file()
    with pytest.raises(NewProjectError, match="見つかりません"):
        create_project("no_such_template", tmp_path / "x")
    with pytest.raises(NewProjectError, match="チーム名"):
        create_project("faq_bot", tmp_path / "y", team="a\nb")
    result = runner.invoke(cli_app, ["new", "faq_bot"])
    assert result.exit_code == 2 and "フォルダ" in result.output


def test_copied_app_runs_from_its_new_place(tmp_path):
    dest = create_project("gomi_guide", tmp_path / "team_c")
    app = load_app(dest / "app.py")
    assert app.DATA_CSV.is_relative_to(dest)
    assert app.answer("新聞の捨て方")["citations"] == ["ID-1622"]


@pytest.mark.slow
@pytest.mark.parametrize("name", MINE)
def test_copied_project_passes_its_own_tests(tmp_path, name):
    dest = create_project(name, tmp_path / f"team_{name}", team="テストチーム")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIDOJO_", "OPENAI_", "AZURE_"))}
    env["GRADIO_ANALYTICS_ENABLED"] = "False"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=dest, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "skipped" not in proc.stdout
