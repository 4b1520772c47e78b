"""The practice model's executive work, judged as an executive would judge a first draft.

Prompts: the course's own (the e01 notebook's and m03's lesson cells and solutions, every answer labelled right in
tests/fixtures/prompt_corpus for e01.q4–q6 and m03.q6–q8) and prompts written for this test in other words about
other occasions, notices, projects and sheets (tests/fixtures/practice/executive.yaml). Every expectation is read
from the prompt itself — the facts to keep, the length, the number of points, the caveat word — never from the reply.

- 挨拶文: every given fact kept, within ±25% of the asked length (300 characters a minute; at most the limit when
  it says 以内), whole sentences in です・ます (no 「…取り組み、お願いいたします。」), an opening and a close, no number
  that the prompt does not give, the same speech every time.
- 国の通知の要約: the asked number of points, each 「する事 — 期限：…」 with the deadline as the notice writes it,
  the actions in the notice's words, within the limit.
- 議会想定問答: the asked number of pairs, the asked table columns, no number the material does not give, and the
  writer's caveat word wherever the material is not settled or silent.
- Excel: a formula on the sheet's columns that does not refer to its own cell, explained.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
import yaml

from aidojo.llm.offline import respond
from aidojo.text.normalize import bigram_overlap, split_sentences
from aidojo.text.prompt_parse import read_prompt
from tests.conftest import REPO
from tests.prompt_corpus import load_corpus
from tests.test_practice_model import _cell, complete, exercise_prompts, prompts_in

OWN = yaml.safe_load((REPO / "tests" / "fixtures" / "practice" / "executive.yaml").read_text(encoding="utf-8"))
LABELLED = load_corpus()
_KANJI_NUM = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "十": "10"}


def _answer_fixtures(qid: str) -> list[str]:
    """The other correct answers the grading tests submit (tests/fixtures/answers/<module>.yaml)."""
    data = yaml.safe_load((REPO / "tests" / "fixtures" / "answers" / f"{qid.split('.')[0]}.yaml").read_text(encoding="utf-8"))
    return [str(t) for t in data["questions"][qid]["correct"]]


def _course_prompts(qids: tuple[str, ...], lesson_cells: tuple[str, ...]) -> list[tuple[str, str]]:
    """(where, prompt) for the solutions, the graded answers' fixtures, the labelled right answers and the lesson cells."""
    out = [(f"solution of {qid}", p) for qid, p in exercise_prompts() if qid in qids]
    out += [(f"answers/{qid}#{i}", p) for qid in qids for i, p in enumerate(_answer_fixtures(qid), 1)]
    out += [(f"{a.id} ({a.persona})", a.text) for qid in qids for a in LABELLED[qid] if a.label == "right"]
    out += [(ref, prompts_in(_cell(ref).source)[0]) for ref in lesson_cells]
    return out


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _material(prompt: str) -> str:
    """The delimited material; for material pasted without delimiters, the lines after the request's first line."""
    return "\n".join(b.text for b in read_prompt(prompt).blocks) or "\n".join(prompt.strip().splitlines()[1:])


def _own_words(prompt: str) -> str:
    text = _nfkc(read_prompt(prompt).instructions)
    return re.sub("|".join(_KANJI_NUM), lambda m: _KANJI_NUM[m.group(0)], text)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*", _nfkc(text))}


def _content_runs(text: str) -> list[str]:
    """The words that carry a fact: runs of kanji, katakana, letters and digits of two characters or more."""
    runs = re.findall(r"[\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9][\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9,，.]*", _nfkc(text))
    return [r.rstrip(",，.") for r in runs if len(r.rstrip(",，.")) >= 2]


def _squash(text: str) -> str:
    return re.sub(r"\s", "", _nfkc(text))


# --- 挨拶文 ---------------------------------------------------------------------------------------------------

_NOT_A_FACT = re.compile(r"^(?:長さ|字数|文字数|役割|依頼|注意|role|task|length|rule)$", re.I)
_POLITE_END = re.compile(r"(?:です|ます|ました|ません|でした|ございます)$")


def asked_length(prompt: str) -> tuple[int, bool] | None:
    """(characters, strict) the prompt asks for: 「600字程度」「800字以内」, or minutes at 300 characters a minute."""
    words = _own_words(prompt)
    if m := re.search(r"(\d+)\s*(?:文字|字)\s*(以内|以下|まで)?", words):
        return int(m.group(1)), bool(m.group(2))
    if m := re.search(r"(\d+)\s*分(半)?\s*(?:から|〜|~)\s*(\d+)\s*分(半)?", words):
        low, high = int(m.group(1)) + (0.5 if m.group(2) else 0), int(m.group(3)) + (0.5 if m.group(4) else 0)
        return round((low + high) / 2 * 300), False
    if m := re.search(r"(?<![時\d])(\d+)\s*分(半)?(?:間)?\s*(以内|以下|まで)?", words):
        return round((int(m.group(1)) + (0.5 if m.group(2) else 0)) * 300), bool(m.group(3))
    return None


def given_facts(prompt: str) -> list[str]:
    """The facts of the occasion: each item of each key-value line of the material (of the request when nothing is
    delimited), or each of the material's sentences."""
    facts = []
    for line in _material(prompt).splitlines():
        m = re.match(r"^\s*[・-]?\s*([^:：\s]{1,14})\s*[:：]\s*(.+)$", line)
        if m and not _NOT_A_FACT.match(m.group(1)):
            facts += [i for i in re.split(r"、(?![^（(]*[）)])", m.group(2)) if i.strip()]
        elif line.strip() and not m:
            facts += split_sentences(line)
    return facts


def speech_body(reply: str) -> str:
    return reply.split("（練習用モデル：")[0].strip()


def assert_good_greeting(prompt: str, reply: str, job: str, where: str, speaker: str | None = None) -> None:
    msg = f"{where}\n--- prompt ---\n{prompt}\n--- reply ---\n{reply}"
    assert job == "speech", msg
    body = speech_body(reply)
    flat = _squash(body)
    for fact in given_facts(prompt):
        for word in _content_runs(fact):
            assert _squash(word) in flat or _squash(word).replace("・", "") in flat.replace("、", "").replace("と", ""), \
                f"the given fact {fact!r} lost {word!r}\n{msg}"
        if not re.search(r"[。]", fact) and len(fact) >= 8:  # a memo item (「これからも声を聞かせてほしい」) is said, not dropped
            assert bigram_overlap(fact, body) >= 0.5, f"{fact!r} is not in the speech\n{msg}"
    if speaker:
        assert speaker in body, msg
    if asked := asked_length(prompt):
        chars, strict = asked
        size = len(re.sub(r"\s", "", body))
        assert chars * 0.75 <= size <= (chars if strict else chars * 1.25), f"{size} characters for {chars}\n{msg}"
    invented = _numbers(body) - _numbers(prompt)
    assert not invented, f"numbers not in the prompt: {invented}\n{msg}"
    sentences = [s for s in re.split(r"(?<=。)", body.replace("\n", "")) if s.strip()]
    assert len(sentences) >= 6, msg
    for s in sentences:
        if not re.fullmatch(r"皆さま、(?:おはようございます|こんにちは|こんばんは)。", s):
            assert _POLITE_END.search(s.rstrip("。")), f"not a polite whole sentence: {s!r}\n{msg}"
    assert not re.search(r"[\u4e00-\u9fff\u30a0-\u30ff）)]、お願い(?:いた)?します", body), f"a noun phrase + 、お願いいたします\n{msg}"
    assert not re.search(r"のの|をを|はは|、、|。。|[:：]", body), msg
    assert re.search(r"おはよう|こんにちは|こんばんは|おめでとう", sentences[0]), f"no opening\n{msg}"
    assert re.search(r"あいさつといたします|ごあいさつ|結びに", sentences[-1]), f"no close\n{msg}"


GREETINGS = _course_prompts(("e01.q4", "m03.q6"), ("notebooks/m03_gyomu_de_tsukau.ipynb#m03-greeting",))


@pytest.mark.parametrize(("where", "prompt"), GREETINGS, ids=[w for w, _ in GREETINGS])
def test_course_greetings_read_as_a_speech(where, prompt):
    reply, job = complete([{"role": "user", "content": prompt}])
    assert_good_greeting(prompt, reply, job, where)


@pytest.mark.parametrize("case", OWN["greetings"], ids=lambda c: c["id"])
def test_other_greetings_read_as_a_speech(case):
    reply, job = complete([{"role": "user", "content": case["prompt"]}])
    assert_good_greeting(case["prompt"], reply, job, case["id"], case.get("speaker"))
    again = respond([{"role": "user", "content": case["prompt"]}]).text
    assert again == reply  # deterministic


def test_the_trainers_greeting_is_about_three_minutes_and_keeps_the_thanks():
    """The prompt the trainer ran in class: 3分, the thanks for the patience during the works said as a sentence."""
    prompt = next(a.text for a in LABELLED["e01.q4"] if "3分以内" in a.text)
    reply = respond([{"role": "user", "content": prompt}]).text
    assert 800 <= len(re.sub(r"\s", "", reply)) <= 900
    assert "工事中のご協力に" in reply and "感謝申し上げます" in reply
    assert "取り組み、お願いいたします" not in reply and "オンライン予約と案内表示" in reply


def test_facts_written_in_the_request_itself_are_used():
    case = next(c for c in OWN["greetings"] if c["id"] == "bosai-fair-facts-in-the-request")
    reply = respond([{"role": "user", "content": case["prompt"]}]).text
    for fact in ("10月5日（土）10時から", "市民会館", "防災フェア", "家庭での備え", "ご来場"):
        assert fact in reply, fact
    assert "練習用モデル" not in reply


def test_readme_states_the_speaking_rate_the_model_uses():
    from aidojo.llm.offline.speech import CHARS_PER_MINUTE

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("**The offline practice model is not a language model.**")[1].split("\n\n")[0]
    assert f"3分 ≈ {3 * CHARS_PER_MINUTE}字" in section
    for claim in ("greeting speech", "council questions", "deadlines exactly as written", "Excel formula"):
        assert claim in section.replace("\n", " "), claim


def test_a_greeting_without_facts_says_so():
    reply, job = complete([{"role": "user", "content": "部長のあいさつ文を2分で作ってください。"}])
    assert job == "speech" and "練習用モデル" in reply and "示されていない" in reply


# --- 国の通知の要約：市がすべきことと期限 ------------------------------------------------------------------------

_DIRECTIVE = re.compile(r"(?:こと|されたい|求める)。$")


def directives_in(prompt: str) -> list[str]:
    return [s for s in split_sentences(_material(prompt)) if _DIRECTIVE.search(s)]


def assert_actions_with_deadlines(prompt: str, reply: str, job: str, where: str) -> None:
    msg = f"{where}\n--- prompt ---\n{prompt}\n--- reply ---\n{reply}"
    assert job == "actions", msg
    material, notice = _material(prompt), directives_in(prompt)
    asked = read_prompt(prompt).items
    bullets = [ln for ln in reply.splitlines() if ln.startswith("・")]
    expected = min(asked or len(notice), len(notice))
    limit = read_prompt(prompt).limit_chars
    assert len(bullets) == expected or (limit and 0 < len(bullets) < expected and f"ほかに{expected - len(bullets)}点" in reply), msg
    for b in bullets:
        action, _, deadline = b[1:].partition(" — 期限：")
        assert deadline, f"no deadline in {b!r}\n{msg}"
        source = max(notice, key=lambda s: bigram_overlap(action, s))
        for word in _content_runs(action):
            assert _squash(word) in _squash(source), f"{word!r} of {action!r} is not the notice's\n{msg}"
        if deadline == "記載なし":
            assert not re.search(r"までに|年度末|月末|速やかに|直ちに|毎年|毎月", source), f"{source!r} has a deadline\n{msg}"
        else:
            assert _squash(deadline.removesuffix("まで")) in _squash(source), f"{deadline!r} is not {source!r}'s\n{msg}"
    if len(bullets) == len(notice):  # every dated deadline of the notice is kept
        for date in re.findall(r"(?:令和\d+年)?\d+月\d+日(?:（.）)?(?=まで)", _nfkc(material)):
            assert _squash(date) in _squash(reply), f"{date} lost\n{msg}"
    if limit:
        strict = re.search(rf"{limit}\s*(?:文字|字)\s*(?:以内|以下|まで)", _own_words(prompt))
        assert len(reply) <= (limit if strict else limit * 1.2), f"{len(reply)} > {limit}\n{msg}"
    lines_with_numbers = "\n".join(ln for ln in reply.splitlines() if not ln.startswith("※"))
    assert not (_numbers(lines_with_numbers) - _numbers(prompt)), msg


NOTICES = _course_prompts(("e01.q6",), ())


@pytest.mark.parametrize(("where", "prompt"), NOTICES, ids=[w for w, _ in NOTICES])
def test_course_notice_summaries_give_the_citys_actions_and_deadlines(where, prompt):
    reply, job = complete([{"role": "user", "content": prompt}])
    assert_actions_with_deadlines(prompt, reply, job, where)


@pytest.mark.parametrize("case", OWN["notices"], ids=lambda c: c["id"])
def test_other_notice_summaries_give_the_citys_actions_and_deadlines(case):
    reply, job = complete([{"role": "user", "content": case["prompt"]}])
    assert_actions_with_deadlines(case["prompt"], reply, job, case["id"])


def test_the_trainers_notice_summary_has_five_actions_with_deadlines():
    prompt = next(p for qid, p in exercise_prompts() if qid == "e01.q6").replace("300字以内で", "5点で")
    reply = respond([{"role": "user", "content": prompt}]).text
    bullets = [ln for ln in reply.splitlines() if ln.startswith("・")]
    assert len(bullets) == 5 and all(" — 期限：" in b for b in bullets)
    assert bullets[-1].endswith("期限：令和9年9月30日まで") and "別紙様式により報告する" in bullets[-1]
    assert "各団体" not in reply and "すること" not in reply


def test_a_plain_summary_request_is_still_a_summary():
    """Without 期限/すべきこと the notice is summarised as before (no action list)."""
    prompt = next(p for qid, p in exercise_prompts() if qid == "e01.q6").replace("市がやるべきことと期限を分けて書き、", "")
    assert respond([{"role": "user", "content": prompt}]).task == "summary"


# --- 議会想定問答 ---------------------------------------------------------------------------------------------------


def asked_pairs(prompt: str) -> int:
    """「5問」「3組」「4つ」; else the reader's count; else 3."""
    if m := re.search(r"(\d+)\s*(?:つ|問|組)", _own_words(prompt).replace("1問1答", "")):
        return int(m.group(1))
    return read_prompt(prompt).items or 3


def assert_council_qa(prompt: str, reply: str, job: str, where: str) -> None:
    msg = f"{where}\n--- prompt ---\n{prompt}\n--- reply ---\n{reply}"
    assert job == "council_qa", msg
    words = _own_words(prompt)
    m = re.search(r"[「『]([^」』]{0,4}(?:確認|検討|未定|調査|精査)[^」』]{0,4})[」』]", words) or \
        re.search(r"(確認が必要|要確認|確認中|今後検討|検討中)", words)
    marker = m.group(1) if m else "確認が必要"
    lines = reply.splitlines()
    if "|---" in reply:
        rows = [ln for ln in lines if ln.startswith("|") and not ln.startswith("|---")][1:]
        header = lines[0]
        if m := re.search(r"表\s*[（(]([^）)]+)[）)]", words):
            for column in re.split(r"[／/、,・]", m.group(1)):
                assert column.strip() in header, f"column {column!r} missing\n{msg}"
    else:
        assert not re.search(r"(?<![公発])表(?:で|に|形式)", words), f"a table was asked\n{msg}"
        rows = ["\n".join(lines[i:i + 3]) for i, ln in enumerate(lines) if re.match(r"^問\d+：", ln)]
    assert len(rows) == asked_pairs(prompt), msg
    said = re.sub(r"^(?:問|答)\d+：|^\|\s*\d+\s*\|", "", reply, flags=re.M)
    assert not (_numbers(said) - _numbers(prompt)), f"numbers not in the material: {_numbers(said) - _numbers(prompt)}\n{msg}"
    unsettled = [ln.split("：", 1)[1] for ln in _material(prompt).splitlines()
                 if "：" in ln and re.search(r"確認中|調整中|検討中|未定|予定", ln.split("：", 1)[1])]
    for row in rows:
        if any(_squash(u.split("（")[0]) in _squash(row) for u in unsettled) or "記載がありません" in row:
            assert marker in row, f"an unsettled point without {marker!r}: {row}\n{msg}"
        assert "必ず実施" not in row and "約束します" not in row, msg


COUNCIL = _course_prompts(("e01.q5", "m03.q7"), ("notebooks/m03_gyomu_de_tsukau.ipynb#m03-qa",))


@pytest.mark.parametrize(("where", "prompt"), COUNCIL, ids=[w for w, _ in COUNCIL])
def test_course_council_questions_have_caveats(where, prompt):
    reply, job = complete([{"role": "user", "content": prompt}])
    assert_council_qa(prompt, reply, job, where)


@pytest.mark.parametrize("case", OWN["council"], ids=lambda c: c["id"])
def test_other_council_questions_have_caveats(case):
    reply, job = complete([{"role": "user", "content": case["prompt"]}])
    assert_council_qa(case["prompt"], reply, job, case["id"])


def test_questions_the_writer_names_come_first_and_are_not_overclaimed():
    case = next(c for c in OWN["council"] if c["id"] == "dx-focus-quoted")
    reply = respond([{"role": "user", "content": case["prompt"]}]).text
    assert reply.startswith("問1：費用に見合う効果があるのか")
    q2 = reply.split("問2：")[1].split("問3：")[0]
    assert q2.startswith("高齢者が取り残されないか") and "確認が必要" in q2
    q1 = reply.split("問2：")[0]
    assert "950万円" in q1 and "ご質問の点につきましては、確認が必要" in q1  # the budget, and that the effect is not given
    assert "問3：" in reply and "この2点" not in reply


# --- Excel ------------------------------------------------------------------------------------------------------


def assert_formula(prompt: str, reply: str, job: str, where: str, expect: dict | None = None) -> None:
    msg = f"{where}\n--- prompt ---\n{prompt}\n--- reply ---\n{reply}"
    assert job == "excel", msg
    m = re.search(r"^(?:([A-Z]+\d+)に入れる)?式：(=.+)$", reply, re.M)
    assert m, msg
    out, formula = m.group(1), m.group(2)
    assert "意味：" in reply and "使い方：" in reply, msg
    if out:  # no circular reference: the formula never reads its own cell or column
        col = re.match(r"[A-Z]+", out).group(0)
        assert not re.search(rf"(?<![A-Z$])\$?{col}\$?\d", formula), f"{formula} refers to its own column {col}\n{msg}"
    if expect:
        assert out == expect["out"], msg
        assert formula.startswith(f"={expect['function']}(") and f",{expect['criterion']}" in formula + ",", msg
        assert formula.split("(")[1].startswith(f"${expect['condition_column']}$"), msg


EXCEL = _course_prompts(("m03.q8",), ("notebooks/m03_gyomu_de_tsukau.ipynb#m03-excel",))


@pytest.mark.parametrize(("where", "prompt"), EXCEL, ids=[w for w, _ in EXCEL])
def test_course_excel_help_gives_a_working_formula(where, prompt):
    reply, job = complete([{"role": "user", "content": prompt}])
    assert_formula(prompt, reply, job, where)


@pytest.mark.parametrize("case", OWN["excel"], ids=lambda c: c["id"])
def test_other_excel_help_gives_a_working_formula(case):
    reply, job = complete([{"role": "user", "content": case["prompt"]}])
    assert_formula(case["prompt"], reply, job, case["id"], case["expect"])
