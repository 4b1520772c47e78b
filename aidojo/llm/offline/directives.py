"""What the city must do, and by when: a notice (国の通知, 依頼文) summarised as its directives with their deadlines.

A directive is a sentence of the notice that asks the city to act (「〜すること。」「〜されたい。」「〜を求める。」).
Each becomes one point 「・する事 — 期限：…」, with the deadline exactly as the notice writes it (「令和9年9月30日まで」,
「速やかに」) and 「記載なし」 when the notice gives none. The notice's own words are kept; only 「〜すること」 is said
「〜する」 and 各団体 is said 市. When fewer points are asked for than the notice has, the points with deadlines
stay and a note says how many more there are.
"""

from __future__ import annotations

import re

from aidojo.llm.offline import facts as F
from aidojo.llm.offline.request import Request
from aidojo.llm.offline.summary import summarize
from aidojo.text.normalize import split_sentences

_DIRECTIVE = re.compile(r"(?:こと|ものとする|されたい|願いたい|お願いする|お願いします|お願いいたします|求める|求められる|"
                        r"必要がある|ください|努められたい|留意されたい|努めること)[。.．]?$")
_DATE = F.DATE.pattern
_DEADLINE = re.compile(
    rf"(?:(?:{_DATE})|(?:令和|平成)?\s*\d{{1,4}}\s*年度?\s*\d{{1,2}}\s*月\s*(?:末日?|中|上旬|中旬|下旬)|\d{{1,2}}\s*月\s*(?:末日?|中)|"
    r"(?:今|本|来|次)年度(?:末|中)|年度末|年内|月内|(?:令和|平成)\s*\d{1,2}\s*年度(?:末|中)?)"
    r"\s*(?:まで(?:に)?|を目途に|をめどに|を期限に|を期限として|以降|から)|"
    r"毎月\s*\d{1,2}\s*日\s*まで(?:に)?|毎年度?\s*\d{1,2}\s*月\s*(?:\d{1,2}\s*日|末日?)\s*まで(?:に)?|"
    r"(?:令和\d+年)?\d{1,2}\s*月(?:定例)?議会\s*まで(?:に)?|"
    r"速やかに|直ちに|遅滞なく|随時|毎年度|毎年|毎月|四半期ごとに|年に?\s*\d+\s*回(?:以上)?|定期的に"
)
_CUE = r"期限|締切|締め切り|しめきり|いつまで|何をいつ|期日|スケジュール"
_ACTION_CUE = r"すべき|やるべき|べきこと|やること|対応|宿題|取るべき|行う|しなければ|必要な|対応事項|やらなければ"
NO_DEADLINE = "記載なし"


_POINTER = re.compile(r"次の(?:点|事項|とおり)|下記|以下の(?:点|事項|とおり)|別記")
_FREQUENCY = re.compile(r"^(?:毎年度|毎年|毎月|四半期ごとに|年に?\d+回(?:以上)?|定期的に)$")


def directive_sentences(source: str) -> list[str]:
    """The notice's sentences that ask the reader to act, in order (numbering and bullets removed; not 「次の点に留意されたい」)."""
    return [s for s in split_sentences(source) if _DIRECTIVE.search(s) and len(s) >= 8 and not _POINTER.search(s)]


def wants_actions(req: Request, source: str | None) -> bool:
    """The prompt asks what the city must do and by when, about a notice that has at least two directives."""
    if not source or not (req.wants(_CUE) or (req.wants(_ACTION_CUE) and req.wants(r"いつ"))):
        return False
    if not req.wants(_ACTION_CUE + r"|要約|まとめ|要点|整理|ポイント|書き出|抜き出"):
        return False
    if len(re.findall(r"(?m)^[^\s:：]{1,12}(?:課長|係長|主任|主事|部長|さん|委員|議長)[:：]", source)) >= 2:
        return False  # a meeting record: that is minutes, not a notice
    return len(directive_sentences(source)) >= 2


def split_deadline(sentence: str) -> tuple[str, str]:
    """(the action said plainly, its deadline as written or 「記載なし」)."""
    s = sentence.strip().rstrip("。.．")
    m = _DEADLINE.search(s)
    deadline = NO_DEADLINE
    if m and _FREQUENCY.match(re.sub(r"\s+", "", m.group(0))):  # how often, not by when: said in the action too
        return _plain(s), re.sub(r"\s+", "", m.group(0))
    if m:
        deadline = re.sub(r"\s+", "", m.group(0))
        deadline = re.sub(r"までに$", "まで", deadline)
        deadline = re.sub(r"^(.+?)を(?:目途|めど)に$", r"\1を目途", deadline)
        left, right = s[: m.start()], s[m.end():].lstrip("、")
        if left.endswith("、") and len(right) <= 8:  # 「使用量を、令和9年10月15日までに報告されたい」: the comma went with the date
            left = left[:-1]
        s = re.sub(r"^、|、$", "", left + right)
    return _plain(s), deadline


def _plain(action: str) -> str:
    """「各団体の取組状況を…報告すること」 → 「市の取組状況を…報告する」."""
    a = re.sub(r"^(?:また|なお|さらに|あわせて|加えて)、", "", action)
    a = re.sub(r"^(?:各(?:地方公共)?団体|地方公共団体|各自治体|各市町村|貴団体)(?:は|において(?:は)?)、?", "", a)
    a = re.sub(r"(?:各(?:地方公共)?団体|各自治体|各市町村|貴団体)の", "市の", a)
    for _ in range(2):  # 「…実施することを求める」: both endings
        for ending, plain in (("することとされたい", "する"), ("されたい", "する"), ("することを求める", "する"), ("を求める", ""),
                              ("が求められる", ""), ("すること", "する"), ("ものとする", ""), ("に努めること", "に努める"),
                              ("こと", ""), ("をお願いします", ""), ("をお願いいたします", ""), ("してください", "する"),
                              ("ください", "")):
            if a.endswith(ending):
                a = a[: -len(ending)] + plain
                break
    return a


def _header(source: str) -> str | None:
    """The notice's first line when it names it (issuer, title, date), e.g. 「…（通知）」令和9年5月12日."""
    first = next((ln.strip() for ln in source.splitlines() if ln.strip()), "")
    return first if first and not _DIRECTIVE.search(first) and re.search(r"通知|依頼|について|事務連絡|\d+月\d+日", first) else None


def _background(source: str) -> list[str]:
    """The notice's sentences that are neither its header nor a directive (why it was sent)."""
    header = _header(source)
    return [s for s in split_sentences(source) if s != header and not _DIRECTIVE.search(s) and s.endswith(("。", "."))]


def _size(lines: list[str]) -> int:
    return sum(len(ln) for ln in lines) + max(0, len(lines) - 1)


def action_summary(req: Request, source: str, items: int | None, limit: int | None) -> str:
    """The notice as 「・する事 — 期限：…」 points: the number asked, within the character limit asked."""
    points = [split_deadline(s) for s in directive_sentences(source)]
    dated = [i for i, (_, due) in enumerate(points) if due != NO_DEADLINE and not _FREQUENCY.match(due)]
    keep = list(range(len(points)))
    if items and items < len(points):  # the dated ones first, then in the notice's order
        keep = sorted((dated + [i for i in keep if i not in dated])[:items])
    bullets = [f"・{points[i][0]} — 期限：{points[i][1]}" for i in keep]
    left_out = [i for i in range(len(points)) if i not in keep]
    note = [f"※通知には、ほかに{len(left_out)}点（{'・'.join(str(i + 1) for i in left_out)}番目）の対応が書かれています。"] if left_out else []
    if items and items > len(points):
        note.append(f"※通知に書かれた市の対応は{len(points)}点です（{items}点には足りません）。")
    strict = bool(limit and re.search(rf"{limit}\s*(?:文字|字)\s*(?:以内|以下|まで|未満)", req.norm_instructions))
    most = (limit if strict else round(limit * 1.1)) if limit else None
    header, background = _header(source), _background(source)
    optional: list[list[str]] = []
    if header:
        optional.append([f"【通知】{header}"])
    if background and req.wants(r"要点|要約|まとめ|概要|ポイント"):
        optional.append(["【要点】" + summarize("\n".join(background), 1, None, False)])
    lines = ["【市がすべきことと期限】", *bullets, *note]
    for extra in reversed(optional):
        if most is None or _size(extra + lines) <= most:
            lines = extra + lines
    if most and _size(lines) > most:
        lines = [ln for ln in lines if not ln.startswith("【市がすべき")]
    while most and _size(lines) > most and len(keep) > 1:  # too long still: the last undated points give way, said in a note
        undated = [i for i in keep if i not in dated]
        keep.remove(undated[-1] if undated else keep[-1])
        left_out = [i for i in range(len(points)) if i not in keep]
        lines = [f"・{points[i][0]} — 期限：{points[i][1]}" for i in keep]
        lines.append(f"※字数の都合で、ほかに{len(left_out)}点（{'・'.join(str(i + 1) for i in left_out)}番目、期限の記載なし）を省きました。"
                     if all(i not in dated for i in left_out) else f"※字数の都合で、ほかに{len(left_out)}点を省きました。")
    return "\n".join(lines)


__all__ = ["wants_actions", "action_summary", "directive_sentences", "split_deadline", "NO_DEADLINE"]
