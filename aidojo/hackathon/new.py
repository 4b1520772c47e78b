"""``aidojo new``: find the starter templates and copy one into a self-contained team project."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# What a copied project never needs: caches, logs written while trying the template out.
IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".ipynb_checkpoints", ".gradio", "flagged", "logs", "*.jsonl", ".DS_Store"
)


class NewProjectError(ValueError):
    """A template or destination that cannot be used (the message is Japanese, for the team)."""


@dataclass(frozen=True)
class Template:
    """One starter template: a folder of ``hackathon_templates/`` with a ``template.toml``."""

    name: str
    title_ja: str
    description: str
    path: Path
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def line(self) -> str:
        """One line for ``aidojo new --list``."""
        return f"{self.name:<16} {self.title_ja}：{self.description}"


INSTALLED_TEMPLATES = "aidojo.hackathon.templates"  # where a wheel install ships hackathon_templates/ (pyproject.toml)


def templates_dir() -> Path:
    """Where the templates live: ``AIDOJO_TEMPLATES_DIR``, ``hackathon_templates/`` of a kit checkout (an editable
    install), or the copy a wheel install ships inside the package (``aidojo.hackathon.templates``)."""
    env = os.environ.get("AIDOJO_TEMPLATES_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2] / "hackathon_templates"
    if checkout.is_dir():
        return checkout
    return installed_templates_dir() or checkout


def installed_templates_dir() -> Path | None:
    """The templates folder of an installed (wheel) kit, or ``None`` when this install has none."""
    try:
        spec = importlib.util.find_spec(INSTALLED_TEMPLATES)
    except ImportError:
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def read_template(folder: Path) -> Template:
    """Read ``folder/template.toml``; a broken file raises :class:`NewProjectError` naming it."""
    toml_path = folder / "template.toml"
    try:
        meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise NewProjectError(f"{toml_path} を読めません：{exc}") from exc
    missing = [k for k in ("title_ja", "description") if not str(meta.get(k, "")).strip()]
    if missing:
        raise NewProjectError(f"{toml_path} に {', '.join(missing)} がありません。")
    keywords = meta.get("keywords", [])
    if not isinstance(keywords, list):
        raise NewProjectError(f"{toml_path} の keywords は文字列のリストにしてください。")
    return Template(
        name=str(meta.get("name") or folder.name),
        title_ja=str(meta["title_ja"]),
        description=str(meta["description"]),
        path=folder,
        keywords=tuple(str(k) for k in keywords),
    )


def list_templates(root: Path | None = None) -> list[Template]:
    """Every folder under ``root`` that holds a ``template.toml``, sorted by name."""
    root = root or templates_dir()
    if not root.is_dir():
        return []
    return [read_template(p) for p in sorted(root.iterdir()) if (p / "template.toml").is_file()]


def get_template(name: str, root: Path | None = None) -> Template:
    """The template called ``name``; an unknown name raises with the list of known ones."""
    templates = list_templates(root)
    for t in templates:
        if t.name == name or t.path.name == name:
            return t
    known = "、".join(t.name for t in templates) or "（なし）"
    raise NewProjectError(f"テンプレート「{name}」は見つかりません。使えるテンプレート：{known}")


_TEAM_OK = re.compile(r"^[^\x00-\x1f\x7f]{1,60}$")


def _check_team(team: str) -> str:
    team = team.strip()
    if not _TEAM_OK.match(team):
        raise NewProjectError("チーム名は1〜60文字で、改行などの制御文字を含めないでください。")
    return team


def _write_team(project: Path, team: str) -> None:
    """Record the team name in template.toml (``team = "..."``, before its first [table]) and atop README.md."""
    toml_path = project / "template.toml"
    text = toml_path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^team\s*=.*\n?", "", text)
    line = f"team = {json.dumps(team, ensure_ascii=False)}\n"
    table = re.search(r"(?m)^\[", text)
    if table:  # a key after a [table] header would belong to that table
        text = text[: table.start()].rstrip("\n") + "\n" + line + "\n" + text[table.start():]
    else:
        text = text.rstrip("\n") + "\n" + line
    toml_path.write_text(text, encoding="utf-8")
    readme = project / "README.md"
    if readme.is_file():
        body = readme.read_text(encoding="utf-8")
        readme.write_text(f"> チーム：{team}（`aidojo new` で作成）\n\n{body}", encoding="utf-8")


def kit_requirement() -> str:
    """The requirement line for the kit this project was made with (``aidojo>=0.1.0``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"aidojo>={version('aidojo')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "aidojo"


REQUIREMENTS = """# このプロジェクトが使うパッケージ（pip install -r requirements.txt）
# AI道場のキットが入っていれば、ほかに必要なものはありません。キットの入れ方は、研修担当から配られた
# wheel（pip install aidojo-*.whl）か、キットのフォルダで pip install -e . です。
{kit}
"""


def _write_requirements(project: Path) -> None:
    """``requirements.txt`` pinning the kit (plus whatever the template lists in its own requirements.txt)."""
    path = project / "requirements.txt"
    extra = path.read_text(encoding="utf-8") if path.is_file() else ""
    extra_lines = [ln for ln in extra.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
                   and not re.match(r"aidojo\b", ln.strip())]
    text = REQUIREMENTS.format(kit=kit_requirement()) + "".join(f"{ln}\n" for ln in extra_lines)
    path.write_text(text, encoding="utf-8")


def _make_writable(folder: Path) -> None:
    """The team edits its copy: files copied from a read-only install (site-packages) become writable by the owner."""
    for path in (folder, *folder.rglob("*")):
        mode = path.stat().st_mode
        if not mode & 0o200:
            path.chmod(mode | 0o200)


def create_project(template: str | Template, dest: Path, team: str | None = None, root: Path | None = None) -> Path:
    """Copy ``template`` into ``dest`` (which must be missing or empty); nothing is left half-copied.

    The copy is built in a temporary sibling folder and renamed into place at the end.
    """
    tpl = template if isinstance(template, Template) else get_template(template, root)
    dest = Path(dest).resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise NewProjectError(f"{dest} はすでに存在し、空ではありません。上書きしないので、別のフォルダ名を指定してください。")
    if tpl.path.resolve() in (dest, *dest.parents):
        raise NewProjectError(f"{dest} はテンプレートの中です。テンプレートの外のフォルダを指定してください。")
    team = _check_team(team) if team is not None else None
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        project = staging / "project"
        shutil.copytree(tpl.path, project, ignore=IGNORE)
        _make_writable(project)
        _write_requirements(project)
        if team:
            _write_team(project, team)
        if dest.exists():
            dest.rmdir()  # empty, checked above
        os.replace(project, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest
