"""m07 held-back cases: another fictional manual (国民健康保険) the learner never sees, with its own questions."""

from aidojo.checks import Case
from aidojo.checks.m07 import reference_sections

HIDDEN_MANUAL = """# 国民健康保険 窓口対応の手引き

みどり市 健康福祉局 保険年金課（研修用の架空の資料です）

## 加入の手続き

会社の健康保険をやめたときは、やめた日から14日以内に国民健康保険の加入の届出をしてください。
届出には、健康保険の資格喪失証明書と本人確認書類が必要です。
### 届出の場所
届出は、本庁舎1階の保険年金課か、各区役所の保険年金係で受け付けます。

## 保険料の納め方

保険料は、6月から翌年3月までの10回に分けて納めます。
口座振替を申し込むと、毎月の納め忘れを防ぐことができます。

## 保険料の減免

災害や失業で収入が大きく減った場合は、保険料の減免を申請できます。
減免の申請には、収入の減少が分かる書類が必要です。

## 高額療養費

1か月の医療費の自己負担額が限度額を超えた場合は、超えた分が高額療養費として払い戻されます。
払い戻しの申請は、診療を受けた月の翌月1日から2年以内に行ってください。

## 脱退の手続き

会社の健康保険に加入したときは、14日以内に国民健康保険の脱退の届出をしてください。
"""
EMPTY_SECTION = "## だけの節\n\n## 二つ目\n本文です。\n"

# (question, title of the section that answers it, words the answer must quote)
ANSWERABLE = [
    ("高額療養費の払い戻しの申請はいつまでにすればよいですか？", "高額療養費", "払い戻されます"),
    ("保険料の減免を申請するには何が必要ですか？", "保険料の減免", "減免を申請できます"),
    ("国民健康保険の加入の届出には何が必要ですか？", "加入の手続き", "14日以内"),
]
UNANSWERABLE = ["粗大ごみの出し方を教えてください", "図書館の開館時間は何時ですか？"]
MIN_SCORE = 3.0


def _h(cid, kind, args, expect=None, note="", **kw):
    return Case(cid, kind, args, expect, note, hidden=True, **kw)


CASES = {
    "m07.q1": [
        _h("h1", "subheadings", {"text": HIDDEN_MANUAL}, reference_sections(HIDDEN_MANUAL), "別の手引き（「### 」の小見出しあり）"),
        _h("h2", "empty_body", {"text": EMPTY_SECTION}, reference_sections(EMPTY_SECTION), "本文のない節"),
    ],
    "m07.q2": [
        _h("h1", "manual", {"sections": reference_sections(HIDDEN_MANUAL), "queries": [q for q, _, _ in ANSWERABLE]},
           [t for _, t, _ in ANSWERABLE], "別の手引き"),
    ],
    "m07.q3": [
        *[_h(f"h{i}", "answerable", {"text": HIDDEN_MANUAL, "question": q}, None, "別の手引きで答えられる質問")
          for i, (q, _, _) in enumerate(ANSWERABLE, start=1)],
        *[_h(f"h{i}", "unanswerable", {"text": HIDDEN_MANUAL, "question": q}, None, "別の手引きにない質問")
          for i, q in enumerate(UNANSWERABLE, start=len(ANSWERABLE) + 1)],
    ],
    "m07.q4": [
        *[_h(f"h{i}", "answerable", {"text": HIDDEN_MANUAL, "question": q, "min_score": MIN_SCORE}, {"title": t, "words": w},
             "別の手引きで答えられる質問") for i, (q, t, w) in enumerate(ANSWERABLE, start=1)],
        *[_h(f"h{i}", "unanswerable", {"text": HIDDEN_MANUAL, "question": q, "min_score": MIN_SCORE}, None, "別の手引きにない質問")
          for i, q in enumerate(UNANSWERABLE, start=len(ANSWERABLE) + 1)],
        _h("h6", "strict_threshold", {"text": HIDDEN_MANUAL, "question": ANSWERABLE[0][0], "min_score": 1000.0}, None,
           "別の手引きで、min_score が高いとき"),
    ],
}
