"""Scenario suites in YAML: the schema (pydantic) and a loader whose errors name the file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CATEGORIES = ("answerable", "ambiguous", "unanswerable", "must_handoff", "pii", "injection", "off_topic", "other")
Category = Literal["answerable", "ambiguous", "unanswerable", "must_handoff", "pii", "injection", "off_topic", "other"]
_FIELD_JA = {"id": "id", "input": "input（質問）", "scenarios": "scenarios", "suite": "suite（スイート名）"}


class SuiteError(ValueError):
    """A scenario suite that cannot be used; the message names the file, the line and the problem (Japanese)."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


def _as_list(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


class Expect(BaseModel):
    """The asserts of one scenario; every given one must hold."""

    model_config = ConfigDict(extra="forbid")

    contains: list[str] | None = None
    not_contains: list[str] | None = None
    regex: list[str] | None = None
    is_json: bool | None = None
    json_schema: dict[str, Any] | None = None
    handoff: bool | None = None
    answers: bool | None = None
    asks_back: bool | None = None
    cites: list[str] | None = None
    no_pii: bool | None = None
    max_chars: int | None = Field(default=None, gt=0)

    _lists = field_validator("contains", "not_contains", "regex", "cites", mode="before")(_as_list)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, v: list[str] | None) -> list[str] | None:
        for pattern in v or []:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"正規表現 {pattern!r} が正しくありません（{exc}）") from None
        return v

    @field_validator("json_schema")
    @classmethod
    def _schema_ok(cls, v: dict | None) -> dict | None:
        if v is not None:
            try:
                import jsonschema
            except ImportError:  # pragma: no cover
                return v
            try:
                jsonschema.validators.validator_for(v).check_schema(v)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"json_schema が JSON Schema として正しくありません（{exc.message}）") from None
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Expect:
        if self.handoff is not None and self.answers is not None and self.handoff == self.answers:
            raise ValueError("handoff と answers が矛盾しています（引き継ぐ／答える のどちらかにしてください）")
        if self.asks_back and (self.handoff or self.answers):
            raise ValueError("asks_back（聞き返す）と handoff / answers が矛盾しています（聞き返す・引き継ぐ・答える のどれか1つにしてください）")
        return self

    def outcome(self) -> str | None:
        """The expected outcome: "answer", "handoff", "ask_back", or None when the scenario does not say."""
        if self.asks_back:
            return "ask_back"
        if self.handoff is True or self.answers is False:
            return "handoff"
        if self.answers is True or self.handoff is False:
            return "answer"
        return None

    def given(self) -> dict[str, Any]:
        """The asserts that were written (not left empty)."""
        return {k: v for k, v in self.model_dump().items() if v is not None}  # type: ignore[attr-defined]


class ScenarioInput(BaseModel):
    """What the scenario sends: a question, optional context text and files."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1)
    context: str | None = None
    files: list[str] = Field(default_factory=list)


class Scenario(BaseModel):
    """One scenario: id, category, input, asserts and weight."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    category: Category = "other"
    input: ScenarioInput
    expect: Expect = Field(default_factory=Expect)
    weight: float = Field(default=1.0, gt=0)
    tags: list[str] = Field(default_factory=list)
    note: str | None = None
    line: int | None = Field(default=None, exclude=True)

    @field_validator("id", mode="before")
    @classmethod
    def _id_str(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v

    @field_validator("input", mode="before")
    @classmethod
    def _input(cls, v: Any) -> Any:
        return {"question": v} if isinstance(v, str) else v

    @property
    def question(self) -> str:
        return self.input.question


class Suite(BaseModel):
    """A named list of scenarios, with an optional default target and the folder it was read from."""

    model_config = ConfigDict(extra="forbid")

    suite: str = Field(min_length=1)
    description: str | None = None
    target: str | None = None
    scenarios: list[Scenario] = Field(min_length=1)
    path: Path | None = Field(default=None, exclude=True)

    @property
    def name(self) -> str:
        return self.suite

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()


# --- loading with line numbers ----------------------------------------------------------------


def _walk(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the deepest YAML node along a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    node, line = value, key.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _duplicate_key(node: yaml.Node | None) -> tuple[int, str] | None:
    """The first key written twice in one mapping (PyYAML keeps the last silently), with its line."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                return key.start_mark.line + 1, str(key.value)
            seen.add(key.value)
            if found := _duplicate_key(value):
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if found := _duplicate_key(item):
                return found
    return None


def _problem(err: dict) -> str:
    loc = list(err["loc"])
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    kind, msg = err["type"], err.get("msg", "")
    last = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        if len(loc) >= 2 and loc[-2] == "expect":
            return f"expect の「{last}」は知らない確認項目です（使えるもの: {', '.join(Expect.model_fields)}）"
        return f"「{where}」は知らない項目です"
    if kind == "missing":
        return f"{_FIELD_JA.get(str(last), where)} がありません（{where}）"
    if kind == "literal_error":
        return f"{where} は {' / '.join(CATEGORIES)} のいずれかにしてください"
    if kind == "greater_than":
        return f"{where} は {err.get('ctx', {}).get('gt')} より大きい数にしてください"
    if kind == "greater_than_equal":
        return f"{where} は {err.get('ctx', {}).get('ge')} 以上の数にしてください"
    if last == "input" and kind in ("model_type", "dict_type"):
        return f"{where} は質問の文字列か、question: を持つ項目の組で書いてください"
    if kind in ("string_type", "bool_type", "int_type", "float_type", "list_type", "dict_type", "model_type", "int_parsing", "float_parsing", "bool_parsing"):
        want = {"string_type": "文字列", "bool_type": "true / false", "bool_parsing": "true / false", "int_type": "整数",
                "int_parsing": "整数", "float_type": "数", "float_parsing": "数", "list_type": "リスト",
                "dict_type": "項目の組（key: value）", "model_type": "項目の組（key: value）"}[kind]
        return f"{where} は{want}で書いてください"
    if kind == "value_error":
        return f"{where}: {msg.removeprefix('Value error, ')}"
    return f"{where}: {msg}"


def _validate(data: Any, node: yaml.Node, path: Path) -> Suite:
    try:
        return Suite.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if p not in ("str", "list[str]") and not str(p).startswith("function-"))
        raise SuiteError(path, _walk(node, loc), _problem({**err, "loc": loc})) from None


def load_suite(path: str | Path) -> Suite:
    """Read and validate a scenario suite; a bad one raises :class:`SuiteError` naming file, line and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SuiteError(path, None, "ファイルが見つかりません") from None
    except UnicodeDecodeError:
        raise SuiteError(path, None, "UTF-8 で保存してください") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SuiteError(path, line, f"YAML の書き方に誤りがあります（{exc.problem or exc.context}）") from None
    except yaml.YAMLError as exc:
        raise SuiteError(path, None, f"YAML を読めません（{exc}）") from None
    if not isinstance(data, dict):
        raise SuiteError(path, 1, "先頭に suite: と scenarios: を持つ YAML にしてください")
    if dup := _duplicate_key(node):
        raise SuiteError(path, dup[0], f"「{dup[1]}」が同じ場所に2回書かれています（後の方だけが使われてしまいます）")
    suite = _validate(data, node, path)
    seen: dict[str, int] = {}
    for i, sc in enumerate(suite.scenarios):
        sc.line = _walk(node, ("scenarios", i))
        if sc.id in seen:
            id_line = _walk(node, ("scenarios", i, "id"))
            raise SuiteError(path, id_line, f"id「{sc.id}」が重複しています（最初は {seen[sc.id]} 行目）")
        seen[sc.id] = sc.line or 0
    suite.path = path.resolve()
    return suite


def schema_json() -> str:
    """The suite's JSON Schema as text (``scenarios.schema.json`` beside every template's ``scenarios.yaml``)."""
    import json

    schema = Suite.model_json_schema()
    schema["title"] = "AI道場 シナリオ集（scenarios.yaml）"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
