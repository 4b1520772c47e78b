"""``aidojo new``: listing, intake suggestions, copying a template, and copies that pass their own tests."""

from __future__ import annotations

import json
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


def test_new_project_gets_its_own_dependency_file_and_keeps_its_settings_tables(tmp_path):
    from aidojo.hackathon.new import kit_requirement

    dest = create_project("faq_bot", tmp_path / "team_d", team="チーム「みどり」")
    meta = tomllib.loads((dest / "template.toml").read_text(encoding="utf-8"))
    assert meta["team"] == "チーム「みどり」" and meta["guard"]["max_tokens"] > 0  # team is not put inside [retrieval]
    assert "team" not in meta["retrieval"] and "team" not in meta["guard"]
    requirements = (dest / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert kit_requirement() in requirements and kit_requirement().startswith("aidojo")


@pytest.fixture(scope="module")
def installed_kit(tmp_path_factory) -> Path:
    """The kit as a team's machine has it: only the installed ``aidojo`` package (its files, as a wheel ships
    them), no repository, no hackathon_templates, no tests folder."""
    import shutil

    site = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "aidojo", site / "aidojo", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return site


def _run_outside(project: Path, site: Path, *args: str) -> subprocess.CompletedProcess:
    """Run Python in ``project`` with only the installed kit on the path (the repository is not)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIDOJO_", "OPENAI_", "AZURE_", "PYTEST_"))}
    env.update(GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)


def _pytest_outside(project: Path, site: Path) -> subprocess.CompletedProcess:
    where = _run_outside(project, site, "-c", "import aidojo, json, sys; print(aidojo.__file__); print(json.dumps(sys.path))")
    assert where.stdout.splitlines()[0].startswith(str(site)), where.stdout + where.stderr
    paths = [Path(p).resolve() for p in json.loads(where.stdout.splitlines()[1]) if p]
    venv = Path(sys.prefix).resolve()
    assert not [p for p in paths if p.is_relative_to(REPO) and not p.is_relative_to(venv)]  # only the interpreter
    return _run_outside(project, site, "-m", "pytest", "-q", "-p", "no:cacheprovider")


@pytest.mark.slow
@pytest.mark.parametrize("name", ("gomi_guide", "doc_search"))
def test_copied_project_passes_its_own_tests_outside_the_kit_checkout(tmp_path, installed_kit, name):
    dest = create_project(name, tmp_path / f"team_{name}", team="テストチーム")
    proc = _pytest_outside(dest, installed_kit)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "skipped" not in proc.stdout


@pytest.mark.slow
def test_a_fork_with_its_own_faq_says_what_to_update_then_passes(tmp_path, installed_kit):
    """A team turns faq_bot into 保育所入所 questions: with the old scenarios the tests name each scenario to
    rewrite; with its own scenarios everything passes (outside the kit checkout, with only the installed kit)."""
    fixtures = REPO / "tests" / "fixtures" / "hoikusho"
    dest = create_project("faq_bot", tmp_path / "hoikusho", team="チーム保育")
    (dest / "data" / "faq.csv").write_text((fixtures / "faq.csv").read_text(encoding="utf-8"), encoding="utf-8")

    stale = _pytest_outside(dest, installed_kit)
    assert stale.returncode == 1
    assert "FAQを差し替えたら、シナリオの cites も新しいFAQ番号に書き直してください" in stale.stdout
    assert "出典 FAQ-34 は data/faq.csv にありません" in stale.stdout and "scenarios.yaml " in stale.stdout
    assert "test_every_faq_question_asked_as_written_is_found_and_answered_from_its_entry" not in stale.stdout.split("short test summary")[-1]

    (dest / "scenarios.yaml").write_text((fixtures / "scenarios.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    fixed = _pytest_outside(dest, installed_kit)
    assert fixed.returncode == 0, fixed.stdout[-3000:] + fixed.stderr[-2000:]
    assert " passed" in fixed.stdout and "skipped" not in fixed.stdout
    assert not (dest / "logs").exists()  # the tests never wrote into the team's handoff log


# --- a wheel install ships the templates (aidojo.hackathon.templates) -----------------------------------------------

_NOT_SHIPPED = {"__pycache__", "logs", ".pytest_cache", ".gradio", "flagged", ".ipynb_checkpoints"}


def _setuptools_config() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _shipped_files(root: Path):
    for path in root.rglob("*"):
        if path.is_file() and not _NOT_SHIPPED & set(path.relative_to(root).parts) and path.suffix not in (".pyc", ".jsonl"):
            yield path


def test_pyproject_lists_every_package_folder_and_every_template_folder():
    """pyproject.toml lists its packages (find cannot map hackathon_templates/ into the package): a folder added under
    aidojo/ or a template must be added there too, or a wheel install silently lacks it."""
    config = _setuptools_config()
    assert config["package-dir"] == {"aidojo.hackathon.templates": "hackathon_templates"}
    expected = set()
    for root, prefix in ((REPO / "aidojo", "aidojo"), (REPO / "hackathon_templates", "aidojo.hackathon.templates")):
        for path in _shipped_files(root):
            expected.add(".".join((prefix, *path.parent.relative_to(root).parts)))
    assert set(config["packages"]) == expected, (sorted(expected - set(config["packages"])), sorted(set(config["packages"]) - expected))


def test_package_data_patterns_cover_every_template_file():
    from fnmatch import fnmatch

    patterns = _setuptools_config()["package-data"]["*"]
    left_out = [str(p.relative_to(REPO)) for p in _shipped_files(REPO / "hackathon_templates")
                if p.suffix != ".py" and not any(fnmatch(p.name, pat) for pat in patterns)]
    assert left_out == [], f"pyproject.toml の package-data に足す拡張子: {left_out}"


@pytest.mark.slow
def test_a_wheel_install_ships_the_templates_and_aidojo_new_works_outside_the_checkout(tmp_path):
    """Build the wheel, install it (--no-deps) into a throw-away venv that borrows this venv's dependencies, and run
    `aidojo new faq_bot` from a folder outside the checkout; the new project's app answers with the installed kit."""
    import site
    import sysconfig

    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(wheels)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-3000:]
    (wheel,) = wheels.glob("aidojo-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-3000:]
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies (typer, gradio, …) come from this venv, after the wheel's own files on sys.path
    (purelib / "_deps_from_test_venv.pth").write_text("\n".join([*site.getsitepackages(), sysconfig.get_paths()["purelib"]]) + "\n")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIDOJO_", "OPENAI_", "AZURE_", "PYTEST_", "PYTHON"))}
    env.update(GRADIO_ANALYTICS_ENABLED="False", PYTHONDONTWRITEBYTECODE="1")
    outside = tmp_path / "desk"
    outside.mkdir()
    aidojo = str(venv / "bin" / "aidojo")
    where = subprocess.run([str(python), "-c", "import aidojo.hackathon.new as n; print(n.__file__); print(n.templates_dir())"],
                           cwd=outside, env=env, capture_output=True, text=True, timeout=120)
    module, templates = where.stdout.splitlines()
    assert Path(module).is_relative_to(purelib) and Path(templates) == purelib / "aidojo" / "hackathon" / "templates", where
    listed = subprocess.run([aidojo, "new", "--list"], cwd=outside, env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and all(name in listed.stdout for name in ("faq_bot", "gomi_guide", "doc_search")), listed

    made = subprocess.run([aidojo, "new", "faq_bot", "team_faq", "--team", "窓口チーム"], cwd=outside, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stdout + made.stderr
    project = outside / "team_faq"
    for name in ("app.py", "template.toml", "scenarios.yaml", "data/faq.csv", "prompts/system.md", "tests/test_faq_bot.py",
                 "pytest.ini", ".gitignore", "requirements.txt"):
        assert (project / name).is_file(), name
    assert not (project / "logs").exists() and "窓口チーム" in (project / "template.toml").read_text(encoding="utf-8")
    reply = subprocess.run([str(python), "-c", "import app; r = app.answer('カードを受け取るときに必要なものは？'); "
                            "print(r['outcome'], r['citations'])"], cwd=project, env=env, capture_output=True, text=True,
                           timeout=300)
    assert reply.returncode == 0 and reply.stdout.split()[0] == "answer" and "FAQ-07" in reply.stdout, reply.stdout + reply.stderr
