"""Step-by-step checks: an application against listed requirements, and a draft against its source.

Each requirement (or draft sentence) is matched to the closest line of the other text; numbers, amounts
and dates are compared, and every verdict shows its evidence, so that a learner can check each step.
"""

from __future__ import annotations

import re

from aidojo.llm.offline import facts as F
from aidojo.llm.offline import lexicon
from aidojo.llm.offline.request import Block, Request
from aidojo.text.normalize import content_bigrams, normalize, split_sentences

_REQUIREMENTS = r"要件|条件|基準|チェック項目|確認項目|審査項目|規定|規則|募集要項|要項|requirements?|criteria"
_REFERENCE = r"資料|原文|元の|元資料|事実|正しい|案内|通知|原本|source|reference"
_DRAFT = r"下書き|原稿|草案|文案|案|ai|回答案|作った文|チェックする文|記事|draft"
_COMPARE = (r"照らし合わせ|照合|突き合わせ|突合|見比べ|比べ|比較|食い違|違い|違う|相違|差異|対比|間違い|誤り|矛盾|ファクトチェック|事実確認|"
            r"正しいか|合っているか|チェック|指摘|compare|mismatch|against|fact-?check")
NEEDS_TWO_TEXTS = ("照らし合わせる2つの文章が見つかりません。資料（もとの情報）と下書きを、それぞれ【資料】【下書き】や ### で"
                   "区切って貼り付けてください。")


def _is(label: str | None, pattern: str) -> bool:
    return bool(label) and bool(re.search(pattern, normalize(label), re.I))


def _labelled(blocks: list[Block], pattern: str, *, exclude: Block | None = None) -> Block | None:
    """The longest block whose label matches ``pattern`` (a one-line 「要件1：判定」 template line is not the material)."""
    found = [b for b in blocks if b is not exclude and _is(b.label, pattern)]
    return max(found, key=lambda b: len(b.text)) if found else None


def requirement_check_parts(req: Request) -> tuple[list[str], str] | None:
    """(requirements, application) when the prompt asks to check a document against requirements.

    Requirements come from a block named 要件/条件/基準, a 「要件：A、B、C」 line, or condition steps
    (「ステップ1：申請者が市内の中小企業か」); an empty list means the prompt names none.
    """
    blocks = req.blocks
    if not req.wants(_REQUIREMENTS + r"|ステップ\s*\d|段階的") or \
            not req.wants(r"確認|判定|満たし|合って|該当|当てはま|あてはま|対象に(?:なる|なら)|対象か|審査|チェック|見ていって|check|against"):
        return None
    named = _labelled(blocks, _REQUIREMENTS)
    if named is None and len(blocks) >= 2:
        named = next((b for b in blocks if len(_numbered(b.text)) >= 2 and not F.keyed(F.fact_lines(b.text))), None)
    others = [b for b in blocks if b is not named and not _is(b.label, _REQUIREMENTS) and len(b.text) >= 15]
    application = max(others, key=lambda b: len(b.text)).text if others else _prose_application(req)
    if not application:
        return None
    if named is not None:
        return _requirements(named.text), application
    m = re.search(r"(?:要件|条件|基準)\s*(?:は|:|：)\s*([^\n]+)", req.instructions)
    if m and not re.search(r"を読む|を確認", m.group(1)):
        items = [p.strip(" 。") for p in re.split(r"[、,，;；]", m.group(1)) if p.strip(" 。")]
        if items:
            return items, application
    steps = [re.sub(r"(?:か|かどうか)[。？?]?$", "", t).strip() for t in _step_lines(req.instructions)]
    conditions = [t for t in steps if re.search(r"\d|以上|以下|まで|市内|対象|企業|こと$", t) and not re.search(r"を読む|と比べる|判定する|まとめる|探す|書く$", t)]
    return conditions, application


def _step_lines(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"(?:^|\n)\s*(?:ステップ|手順|step)\s*\d+\s*[:：.)）]?\s*([^\n]+)", text, re.I)]


def _prose_application(req: Request) -> str | None:
    """An application written in a sentence (「申請者はカフェ若葉…、経費48万円、申請日2027年1月20日です。」)."""
    lines = [ln for ln in req.instructions.splitlines() if re.search(r"申請者|経費|申請日|事業内容", ln) and re.search(r"\d", ln)]
    return "\n".join(lines) if lines else None


def comparison_parts(req: Request) -> tuple[Block, Block] | None:
    """(reference, draft) when the prompt asks to check a draft against its source."""
    blocks = req.blocks
    if len(blocks) < 2 or not req.wants(_COMPARE) or _labelled(blocks, _REQUIREMENTS):
        return None
    blocks = [b for b in blocks if len(b.text) >= 15] or blocks
    if len(blocks) < 2:
        return None
    draft = _labelled(blocks, _DRAFT)
    reference = _labelled(blocks, _REFERENCE, exclude=draft)
    if draft and not reference:
        reference = next(b for b in blocks if b is not draft)
    if reference and not draft:
        draft = next(b for b in blocks if b is not reference)
    if not draft:
        reference, draft = blocks[0], blocks[1]
    return reference, draft


def _numbered(text: str) -> list[str]:
    items = [re.sub(r"^\s*(?:\d+[.)．、]|[①-⑳]|[（(]\d+[)）]|[-*・●](?![-*]))\s*", "", ln).strip()
             for ln in text.splitlines() if re.match(r"^\s*(?:\d+[.)．、]|[①-⑳]|[（(]\d+[)）]|[-*・●](?![-*]))", ln)]
    return [i for i in items if i]


def _requirements(text: str) -> list[str]:
    items = _numbered(text)
    if items:
        return items
    return [ln.strip() for ln in text.splitlines()[1:] if ln.strip()] or split_sentences(text)


def _overlap(a: str, b: str) -> float:
    ga = content_bigrams(a)
    return len(ga & content_bigrams(b)) / len(ga) if ga else 0.0


def _best_line(sentence: str, lines: list[str]) -> tuple[str | None, float]:
    scored = [(_overlap(sentence, ln) + 0.5 * _overlap(ln, sentence), ln) for ln in lines]
    if not scored:
        return None, 0.0
    score, line = max(scored, key=lambda t: t[0])
    return line, score


def _amount(value: str, unit: str) -> float:
    n = float(value)
    return n * 10000 if unit == "万円" else n


def _compare_numbers(requirement: str, evidence: str) -> tuple[str, str] | None:
    """(mark, reason) from 「30万円以上」 vs 「48万円」 or 「1月31日までに」 vs 「1月20日」, else ``None``."""
    deadline = F.dates(requirement)
    given = F.dates(evidence)
    if deadline and given and re.search(r"まで|以前|期限", requirement):
        def key(d: str, default_year: str) -> tuple[int, int, int]:
            y = re.search(r"(\d{4})年", d)
            mo, da = re.search(r"(\d{1,2})月(\d{1,2})日", d).groups()
            return int(y.group(1) if y else default_year), int(mo), int(da)
        year = (re.search(r"(\d{4})年", deadline[0]) or re.search(r"(\d{4})年", given[0]))
        default = year.group(1) if year else "2000"
        ok = key(given[0], default) <= key(deadline[0], default)
        return ("○" if ok else "×"), f"{given[0]}は期限（{deadline[0]}）{'より前です' if ok else 'を過ぎています'}"
    req_n = normalize(requirement)
    m = re.search(r"(\d[\d,]*)\s*(万円|円|人|名|歳|年|日|件|%)\s*(以上|以下|未満|超|を超え|まで)", req_n)
    if m:
        limit, unit, rel = float(m.group(1).replace(",", "")), m.group(2), m.group(3)
        limit = limit * 10000 if unit == "万円" else limit
        units = {"万円": ("万円", "円"), "円": ("万円", "円")}.get(unit, (unit,))
        values = [_amount(n, u) for n, u in F.numbers(evidence) if u in units]
        if values:
            v = values[0]
            ok = {"以上": v >= limit, "以下": v <= limit, "未満": v < limit, "まで": v <= limit}.get(rel, v > limit)
            shown = next(f"{n}{u}" for n, u in F.numbers(evidence) if u in units)
            return ("○" if ok else "×"), f"{shown}は「{m.group(0)}」を{'満たします' if ok else '満たしません'}"
    return None


def _term_found(term: str, application: str) -> bool:
    return any(w in application for w in lexicon.REQUIREMENT_TERMS.get(term, [term]))


def _judge(requirement: str, application: str, lines: list[str]) -> tuple[str, str, str]:
    """(evidence line, mark, reason) for one requirement."""
    line, score = _best_line(requirement, lines)
    if line:
        if verdict := _compare_numbers(requirement, line):
            return line, *verdict
    for other in lines:  # the number may sit on another line (経費 in 「事業内容」…)
        if other != line and (verdict := _compare_numbers(requirement, other)):
            return other, *verdict
    terms = [t for t in re.findall(r"[\u4e00-\u9fff\u30a0-\u30ff]{2,}", requirement) if t not in ("申請者", "申請", "場合")]
    found = [t for t in terms if _term_found(t, application)]
    if terms and len(found) / len(terms) >= 0.6:
        return line or "", "○", "申請書の内容が「" + "」「".join(found[:3]) + "」に当てはまります"
    return line or "（該当する記載なし）", "△", "申請書の内容だけでは確かめられません（担当者が確認）"


def _steps_from_prompt(req: Request) -> list[str]:
    return [s for s in _numbered(req.instructions) if len(s) <= 40][:6]


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


MISSING_REQUIREMENTS = ("要件（確認の基準）が示されていないため、判定できません。"
                        "要件を ### や【要件】などで区切って貼り付けるか、「要件：…」と書いてください。")


def check_requirements(req: Request, items: list[str], application: str) -> str:
    """Step by step: each requirement, the matching part of the application, a verdict with its reason, a conclusion."""
    if not items:
        return MISSING_REQUIREMENTS
    lines = [ln.strip() for ln in re.split(r"\n|、(?=[^、]{0,8}(?:は|：|:))", application) if ln.strip()]
    verdicts = [(r, *_judge(r, application, lines)) for r in items]
    table = req.wants(r"表|テーブル|table")
    out = []
    steps = [t for t in _steps_from_prompt(req) if not any(t in r or r in t for r in items)]
    out.append("次の手順で確認しました。")
    out.extend(f"{i}. {s}" for i, s in enumerate(steps or ["要件を1つずつ取り上げる", "申請書の該当する内容を探す",
                                                          "満たしているかを判定し、理由を書く", "最後に結論をまとめる"], start=1))
    out.append("")
    if table:
        out.append("| 要件 | 申請書の内容 | 判定 | 理由 |")
        out.append("|---|---|---|---|")
        out.extend(f"| {i}. {_cell(r)} | {_cell(ev)} | {mark} | {_cell(why)} |" for i, (r, ev, mark, why) in enumerate(verdicts, 1))
    else:
        for i, (r, ev, mark, why) in enumerate(verdicts, 1):
            out.append(f"【要件{i}】{r}")
            out.append(f"・申請書の内容：{ev}")
            out.append(f"・判定：{mark}（{why}）")
    out.append("")
    failed = [str(i) for i, v in enumerate(verdicts, 1) if v[2] == "×"]
    unsure = [str(i) for i, v in enumerate(verdicts, 1) if v[2] == "△"]
    if failed:
        out.append(f"結論：要件{'・'.join(failed)}を満たしていないため、対象にならないと考えられます。")
    elif unsure:
        out.append(f"結論：要件{'・'.join(unsure)}は申請書だけでは確かめられません。担当者が確認してから判断してください。")
    else:
        out.append(f"結論：{len(verdicts)}つの要件をすべて満たしているため、対象になると考えられます。")
    out.append("（最終的な判断は、担当職員が資料を確かめて行ってください。）")
    return "\n".join(out)


def _tokens(text: str) -> list[str]:
    """Dates and numbers with units, a number inside a date not counted twice (「12月28日」, not also 「28日」)."""
    found_dates = F.dates(text)
    nums = [f"{n}{u}" for n, u in F.numbers(text)]
    nums = [x for x in nums if not any(x in d for d in found_dates)]
    return found_dates + nums


def compare_draft(req: Request, reference: Block, draft: Block) -> str:
    """Each draft sentence against the source: mismatched numbers and dates, and statements the source lacks."""
    ref_lines = [ln.strip() for ln in reference.text.splitlines() if ln.strip()]
    problems: list[tuple[str, str, str]] = []
    agreed = 0
    for sentence in split_sentences(draft.text):
        line, score = _best_line(sentence, ref_lines)
        got = _tokens(sentence)
        wrong = [g for g in got if line is not None and g not in normalize(line).replace(",", "")]
        if line is None or score < 0.3:
            problems.append((sentence, "（資料に記載なし）", "資料にない"))
        elif wrong:
            right = _tokens(line)
            unit_of = {g: re.sub(r"[\d,.]", "", g) for g in wrong}
            fix = [r for r in right if any(re.sub(r"[\d,.]", "", r) == u for u in unit_of.values()) and r not in normalize(sentence)]
            detail = "、".join(wrong) + (f" ↔ 資料では {'、'.join(fix)}" if fix else "")
            problems.append((sentence, line, f"食い違い（{detail}）"))
        else:
            agreed += 1
    table = req.wants(r"表|テーブル|table")
    out = ["下書きを1文ずつ資料と照らし合わせました。"]
    if not problems:
        out.append("資料と食い違う点や、資料にない点は見つかりませんでした。")
    elif table:
        out.append("| 下書きの記述 | 資料の記述（根拠） | 判定 |")
        out.append("|---|---|---|")
        out.extend(f"| {_cell(s)} | {_cell(ev)} | {_cell(j)} |" for s, ev, j in problems)
    else:
        for i, (s, ev, j) in enumerate(problems, 1):
            out.append(f"{i}. {s}")
            out.append(f"   判定：{j}")
            out.append(f"   根拠：{ev}")
    if agreed:
        out.append(f"ほかの{agreed}文は資料と一致しました。")
    out.append("（最後は、職員が資料と見比べて確かめてください。）")
    return "\n".join(out)


__all__ = ["NEEDS_TWO_TEXTS", "requirement_check_parts", "comparison_parts", "check_requirements", "compare_draft"]
