"""The practice model does what the course's prompts ask, in a way a learner recognises.

The corpus (tests/fixtures/practice/corpus.yaml) lists, for the lesson cells, the calls the lessons and templates
make, and each graded prompt question, what a learner should recognise in the reply; the prompts themselves are
read from the notebooks, the template prompt files and the labelled answers of tests/fixtures/prompt_corpus, so
the corpus follows the course. Everything goes through the real ``openai`` SDK (``aidojo.llm.chat``).
"""

from __future__ import annotations

import ast
import json
import re

import nbformat
import pytest
import yaml

from aidojo.llm import client, model_name
from aidojo.text.normalize import normalize, split_sentences
from aidojo.text.prompt_parse import read_prompt
from tests.conftest import REPO
from tests.prompt_corpus import load_corpus

CORPUS = yaml.safe_load((REPO / "tests" / "fixtures" / "practice" / "corpus.yaml").read_text(encoding="utf-8"))
_ASKING = ("ask", "playground")


def complete(messages: list[dict], *, json_mode: bool = False) -> tuple[str, str]:
    """(reply text, job) from the practice model through the real SDK; the job is in ``system_fingerprint``."""
    kwargs = {"response_format": {"type": "json_object"}} if json_mode else {}
    r = client().chat.completions.create(model=model_name(), messages=messages, **kwargs)
    return r.choices[0].message.content, (r.system_fingerprint or "").removeprefix("aidojo-offline-")


# --- where prompts come from ---------------------------------------------------------------------------------


def _cell(ref: str):
    path, cell_id = ref.split("#")
    nb = nbformat.read(REPO / path, as_version=4)
    return next(c for c in nb.cells if c.get("id") == cell_id)


def strip_solution(text: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("### ") or "SOLUTION" not in ln).strip()


def prompts_in(source: str) -> list[str]:
    """The prompts a cell sends: strings given to ask()/playground()/x.ask(), or the last one assigned to プロンプト."""
    tree = ast.parse(source)
    assigned = {}
    sent: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    assigned[t.id] = node.value.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in _ASKING:
            arg = node.args[0] if node.args else None
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                sent.append(arg.value)
            elif isinstance(arg, ast.Name) and arg.id in assigned:
                sent.append(assigned[arg.id])
    return [strip_solution(p) for p in sent]


def lesson_cells() -> list[str]:
    """Every lesson cell that sends a prompt with text in it (notebooks/*.ipynb), as 'path#cell-id'."""
    refs = []
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and re.search(r"\b(?:ask|playground)\(", cell.source):
                if any(p.strip() for p in prompts_in(cell.source)):
                    refs.append(f"notebooks/{path.name}#{cell.id}")
    return refs


def exercise_prompts() -> list[tuple[str, str]]:
    """(qid, solution prompt) for every ask(プロンプト) cell of the exercises' solutions."""
    out = []
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        by_id = {c.get("id"): c for c in nb.cells}
        for cell in nb.cells:
            m = re.fullmatch(r"(m\d\d|e\d\d)k-(q\d+)-ask", cell.get("id") or "")
            if cell.cell_type == "code" and m:
                answer = by_id.get(f"{m.group(1)}-{m.group(2)}-answer")
                if answer is not None and prompts_in(answer.source + "\nask(プロンプト)"):
                    out.append((f"{m.group(1)}.{m.group(2)}", prompts_in(answer.source + "\nask(プロンプト)")[0]))
    return out


def template_messages(case: dict) -> list[dict]:
    base = REPO / "hackathon_templates"
    msgs = []
    if "system" in case["template"]:
        msgs.append({"role": "system", "content": (base / case["template"]["system"]).read_text(encoding="utf-8").strip()})
    user = (base / case["template"]["user"]).read_text(encoding="utf-8").strip()
    msgs.append({"role": "user", "content": user.format(**case["fill"])})
    return msgs


# --- what a learner checks by eye -----------------------------------------------------------------------------


def _section(text: str, name: str) -> str:
    """The body under 【name】, or the rows of a table whose first cell is name."""
    m = re.search(rf"【{re.escape(name)}】(.*?)(?=\n【|\Z)", text, re.S)
    if m:
        return m.group(1)
    return "\n".join(ln for ln in text.splitlines() if re.match(rf"\|\s*{re.escape(name)}\s*\|", ln))


def assert_recognisable(reply: str, job: str, expect: dict, prompt: str, where: str) -> None:
    """Check the reply as a learner would: the job done, the facts kept, the limits respected."""
    msg = f"{where}\n--- prompt ---\n{prompt[:600]}\n--- reply ({job}) ---\n{reply}"
    lines = [ln for ln in reply.splitlines() if ln.strip()]
    if "task" in expect:
        assert job == expect["task"], msg
    for text in expect.get("contains", []):
        assert str(text) in reply, f"{text!r} missing\n{msg}"
    if "contains_any" in expect:
        assert any(t in reply for t in expect["contains_any"]), msg
    for text in expect.get("not_contains", []):
        assert str(text) not in reply, f"{text!r} should not be there\n{msg}"
    for text in expect.get("contains_if_given", []):
        if str(text) in prompt:
            assert str(text) in reply, f"the given fact {text!r} was dropped\n{msg}"
    if expect.get("no_placeholders") or (expect.get("no_placeholders_if_given")
                                         and any(str(t) in prompt for t in expect.get("contains_if_given", []))):
        assert "〔日時〕" not in reply and "〔場所〕" not in reply, msg
    if "equals" in expect:
        assert reply.strip() == expect["equals"], msg
    if "first_line" in expect:
        assert lines and lines[0].strip() == expect["first_line"], msg
    if "lines" in expect:
        assert len(lines) == expect["lines"], msg
    if "max_lines" in expect:
        assert len(lines) <= expect["max_lines"], msg
    if "lines_start_with" in expect:
        assert lines and all(ln.startswith(expect["lines_start_with"]) for ln in lines), msg
    if "max_chars" in expect:
        limit = expect["max_chars"] if expect["max_chars"] != "limit" else read_prompt(prompt).limit_chars
        if limit:
            assert len(reply) <= limit, f"{len(reply)} > {limit}\n{msg}"
    if expect.get("extractive"):  # a summary made of the material's own sentences: nothing invented
        flat = re.sub(r"\s+", "", prompt)
        for sentence in split_sentences(reply):
            assert re.sub(r"\s+", "", sentence) in flat, f"{sentence!r} is not from the material\n{msg}"
    for name, words in (expect.get("not_contains_in_section") or {}).items():
        body = _section(reply, name)
        assert body, f"no 【{name}】\n{msg}"
        for w in words:
            assert w not in body, f"{w!r} in 【{name}】\n{msg}"
    for key, allowed in (expect.get("json") or {}).items():
        data = json.loads(reply)
        assert key in data, msg
        if allowed == "bool":
            assert isinstance(data[key], bool), msg
        elif isinstance(allowed, str) and allowed.startswith("str<="):
            assert isinstance(data[key], str) and len(data[key]) <= int(allowed[5:]), msg
        else:
            assert data[key] in allowed, f"{key}={data[key]!r} not in {allowed}\n{msg}"


# --- the lessons ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CORPUS["lessons"], ids=lambda c: c["id"])
def test_lesson_prompts_get_the_job_done(case):
    messages: list[dict] = []
    for ref in case["cells"]:
        (prompt,) = prompts_in(_cell(ref).source)
        messages.append({"role": "user", "content": prompt})
        reply, job = complete(messages)
        messages.append({"role": "assistant", "content": reply})
    said = "\n".join(m["content"] for m in messages[:-1] if m["role"] == "user")
    assert_recognisable(reply, job, case, said, case["id"])


def test_every_lesson_prompt_gets_a_job_done():
    """A lesson cell the corpus does not list yet still gets a job done (never "I could not tell what to do")."""
    listed = {ref for case in CORPUS["lessons"] for ref in case["cells"]}
    refs = lesson_cells()
    assert len(refs) >= 15 and listed <= set(refs), sorted(listed - set(refs))
    for ref in sorted(set(refs) - listed):
        for prompt in prompts_in(_cell(ref).source):
            reply, job = complete([{"role": "user", "content": prompt}])
            assert job not in ("mirror", "needs_text"), f"{ref}\n{prompt}\n{reply}"


@pytest.mark.parametrize("case", CORPUS["calls"], ids=lambda c: c["id"])
def test_calls_from_lessons_and_templates_get_the_job_done(case):
    if "template" in case:
        messages = template_messages(case)
    else:
        messages = case["messages"]
        if "cell" in case:  # the call is still the one the lesson makes
            assert case["drift"] in _cell(case["cell"]).source, f"{case['cell']} no longer says {case['drift']!r}"
    reply, job = complete(messages, json_mode=case.get("json_mode", False))
    assert_recognisable(reply, job, case, "\n".join(m["content"] for m in messages), case["id"])


# --- the exercises: solutions and learners' own right answers --------------------------------------------------


def test_every_exercise_prompt_has_an_expectation_and_meets_it():
    found = exercise_prompts()
    assert len(found) >= 10
    for qid, prompt in found:
        assert qid in CORPUS["questions"], f"add what {qid}'s reply should show to corpus.yaml"
        expect = CORPUS["questions"][qid]
        messages = [*expect.get("follow_up_of", []), {"role": "user", "content": prompt}]
        reply, job = complete(messages)
        assert_recognisable(reply, job, expect, prompt, f"solution of {qid}")


LABELLED = load_corpus()


@pytest.mark.parametrize("qid", sorted(q for q in CORPUS["questions"] if q in LABELLED))
def test_learners_right_answers_get_the_job_done(qid):
    """Every answer labelled right in the rubric's corpus (several personas) makes the model do the task."""
    expect = CORPUS["questions"][qid]
    right = [a for a in LABELLED[qid] if a.label == "right"]
    assert len(right) >= 10
    for a in right:
        reply, job = complete([*expect.get("follow_up_of", []), {"role": "user", "content": a.text}])
        assert_recognisable(reply, job, expect, a.text, f"{a.id} ({a.persona})")


# --- one reader: the playground's mirror and the model's own element list ----------------------------------------


MIRROR_PROMPTS = [
    "広報担当になりきって、市民向けに図書館の電子書籍サービスのお知らせを作ってください。200字以内、箇条書きで。",
    "【役割】\n【目的】\n【指示】\n【制約】\n【出力形式】\n",
    "■役割：〇〇\n■目的：\n■指示：ここに書く\n■制約：\n■出力形式：",
    "あなたは市役所の職員です。いい感じにお願いします。",
]


def _model_elements(reply: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^○ ([^：]+)：", reply, re.M)}


@pytest.mark.parametrize("prompt", MIRROR_PROMPTS + [a.text for a in LABELLED.get("m02.q1", [])[:12]], ids=lambda p: f"len{len(p)}")
def test_playground_mirror_and_model_read_the_same_elements(prompt):
    from aidojo.checks.notebook import element_mirror
    from aidojo.llm.offline.mirror import mirror
    from aidojo.text.prompt_parse import ELEMENT_LABELS

    shown = {ELEMENT_LABELS[k] for k in element_mirror(prompt).met}
    assert _model_elements(mirror(prompt)) == shown == {ELEMENT_LABELS[k] for k in read_prompt(prompt).present}


def test_an_empty_skeleton_has_no_elements_for_anyone():
    from aidojo.checks.notebook import element_mirror, mirror_html

    skeleton = MIRROR_PROMPTS[1]
    assert not element_mirror(skeleton).met and "（0/5）" in mirror_html(skeleton)
    reply, job = complete([{"role": "user", "content": skeleton}])
    assert job == "mirror" and "5つの要素のうち0つ" in reply


# --- what it says about itself ------------------------------------------------------------------------------------


def test_the_hallucination_demo_is_labelled_and_deterministic():
    q = "みどり市の図書館の電子書籍の貸出期間は何日ですか？"
    first, job = complete([{"role": "user", "content": q}])
    again, _ = complete([{"role": "user", "content": q}])
    assert job == "hallucination_demo" and first == again
    answer, label = first.split("――――")
    assert re.search(r"\d+日間です", answer) and "14日間" not in answer  # confident, plausible, wrong
    assert "ハルシネーション" in label and "作り話" in label


def test_readme_and_capabilities_describe_the_model_truthfully():
    from aidojo.llm import CAPABILITIES_JA

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("**The offline practice model is not a language model.**")[1].split("\n\n")[0]
    for claim in ("notice", "categor", "step", "やさしい日本語", "JSON", "hallucination", "hand"):
        assert claim.lower() in normalize(section), claim
    for claim in ("お知らせ", "分類", "照らし合わせ", "やさしい日本語", "JSON", "引き継ぎます", "ハルシネーション", "本物の生成AIではありません"):
        assert claim in CAPABILITIES_JA, claim
