"""Targets a suite runs against: ``python:module_or_path:function`` or a running Gradio app's URL."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

_CITE_PATTERNS = (
    re.compile(r"出典\s*[:：]\s*\[?([^\[\]\n（）()]+?)\]?\s*(?:[）)\n]|$)"),
    re.compile(r"\[([^\[\]\n]{1,80})\]"),
    re.compile(r"【([^【】\n]{1,80})】"),
)


class TargetError(ValueError):
    """A target spec that cannot be resolved (Japanese message)."""


@dataclass(frozen=True)
class Response:
    """What a target answered, normalised: text, whether it handed off or asked back, the sources it cited,
    and (when the app reports them) its best retrieval score and the reason code of a handoff."""

    text: str
    handoff: bool = False
    citations: list[str] = field(default_factory=list)
    ask_back: bool = False
    score: float | None = None
    reason: str = ""

    @property
    def outcome(self) -> str:
        """"handoff", "ask_back" or "answer"."""
        return "handoff" if self.handoff else "ask_back" if self.ask_back else "answer"


def parse_citations(text: str) -> list[str]:
    """Sources cited in an answer: 「出典：…」, [..] and 【..】."""
    found: list[str] = []
    for pat in _CITE_PATTERNS:
        for m in pat.finditer(text):
            c = m.group(1).strip()
            if c and c not in found:
                found.append(c)
    return found


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if not isinstance(obj, dict) and hasattr(obj, name):
            return getattr(obj, name)
    return None


def to_response(result: Any) -> Response:
    """Normalise a str, a dict / object with answer|text, handoff, citations, or a tuple (first item) to a Response."""
    from aidojo.safety import is_handoff

    if isinstance(result, (tuple, list)) and result:
        result = result[0]
    ask_back, score, reason = False, None, ""
    if isinstance(result, str) or result is None:
        text, handoff, citations = result or "", None, None
    else:
        text = _get(result, "answer", "text", "reply", "output")
        text = "" if text is None else str(text)
        handoff = _get(result, "handoff")
        citations = _get(result, "citations", "sources")
        outcome = _get(result, "outcome")
        ask_back = bool(_get(result, "ask_back")) or outcome == "ask_back"
        if handoff is None and outcome in ("handoff", "answer", "ask_back"):
            handoff = outcome == "handoff"
        raw_score = _get(result, "score", "best_score")
        score = float(raw_score) if isinstance(raw_score, (int, float)) and not isinstance(raw_score, bool) else None
        reason = str(_get(result, "reason") or "")
    if handoff is None:
        handoff = is_handoff(text)
    if citations is None:
        citations = parse_citations(text)
    return Response(text, bool(handoff), [str(c) for c in citations], bool(ask_back) and not handoff, score, reason)


Target = Callable[[str, str | None, list[str]], Response]


def _accepts(fn: Callable, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def function_target(fn: Callable[..., Any]) -> Target:
    """Wrap ``fn(question[, context=..., files=...])`` as a target."""

    def call(question: str, context: str | None = None, files: list[str] | None = None) -> Response:
        kwargs: dict[str, Any] = {}
        if context is not None:
            if not _accepts(fn, "context"):
                raise TargetError(f"{getattr(fn, '__name__', fn)} は context を受け取りません（引数に context=None を加えてください）")
            kwargs["context"] = context
        if files:
            if not _accepts(fn, "files"):
                raise TargetError(f"{getattr(fn, '__name__', fn)} は files を受け取りません（引数に files=None を加えてください）")
            kwargs["files"] = files
        return to_response(fn(question, **kwargs))

    call.__name__ = getattr(fn, "__name__", "target")
    return call


def gradio_target(url: str, api_name: str = "/answer") -> Target:
    """A running Gradio app, called through ``gradio_client``: ``predict(question[, context], api_name=...)``."""
    from gradio_client import Client

    api = api_name if api_name.startswith("/") else "/" + api_name
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 - gradio_client raises many kinds
        raise TargetError(f"Gradio アプリ {url} に接続できません（{type(exc).__name__}: {exc}）") from exc

    def call(question: str, context: str | None = None, files: list[str] | None = None) -> Response:
        args = [question] if context is None else [question, context]
        return to_response(client.predict(*args, api_name=api))

    call.__name__ = f"{url} {api}"
    return call


def load_module_file(path: str | Path, name: str | None = None) -> ModuleType:
    """Import a ``.py`` file as a module named ``name`` (registered in sys.modules, so dataclasses work).

    The file's folder is on sys.path while it runs, so an app can import its sibling modules.
    """
    file = Path(path).resolve()
    if not file.is_file():
        raise FileNotFoundError(f"{file} が見つかりません。")
    name = name or "aidojo_eval_target_" + re.sub(r"\W", "_", str(file))
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    sys.path.insert(0, str(file.parent))
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        sys.path.remove(str(file.parent))
    return mod


def _load_module(module: str, base_dir: Path) -> Any:
    looks_like_path = module.endswith(".py") or "/" in module or "\\" in module
    if looks_like_path:
        for root in (base_dir, Path.cwd()):
            file = (root / module).resolve()
            if file.is_file():
                return load_module_file(file)
        raise TargetError(f"ターゲットのファイル {module} が見つかりません（{base_dir} と {Path.cwd()} を探しました）")
    for root in (str(base_dir), str(Path.cwd())):
        if root not in sys.path:
            sys.path.insert(0, root)
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise TargetError(f"ターゲットのモジュール {module} を読み込めません（{exc}）") from exc


def resolve_target(spec: str | Callable[..., Any], base_dir: str | Path | None = None, *, api_name: str = "/answer") -> Target:
    """A callable target from ``python:module_or_path:function``, a Gradio URL, or a Python function."""
    if callable(spec):
        return function_target(spec)
    spec = unicodedata.normalize("NFKC", str(spec)).strip()
    base = Path(base_dir) if base_dir else Path.cwd()
    if re.match(r"https?://", spec):
        return gradio_target(spec, api_name)
    if not spec.startswith("python:") or spec.count(":") < 2:
        raise TargetError(f"ターゲット {spec!r} の形式が違います。python:モジュールまたはファイル:関数名 か http://127.0.0.1:ポート/ を指定してください")
    module, func = spec[len("python:"):].rsplit(":", 1)
    mod = _load_module(module, base)
    fn = getattr(mod, func, None)
    if not callable(fn):
        raise TargetError(f"{module} に関数 {func} がありません")
    return function_target(fn)
