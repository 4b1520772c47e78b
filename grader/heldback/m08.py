"""m08 held-back cases (the former hidden checks of aidojo/checks/m08.py): other questions, a continued chat, CSVs."""

from aidojo.checks import Case

EARLIER = [{"role": "user", "content": "こんにちは"}, {"role": "assistant", "content": "ご質問をどうぞ。"}]
QUESTIONS = ["保護の決定は申請から何日以内ですか？", "外国籍の方は生活保護を受けられますか？", "明日の天気は？"]


def _h(cid, kind, args, expect=None, note="", **kw):
    return Case(cid, kind, args, expect, note, hidden=True, **kw)


CASES = {
    "m08.q1": [
        _h("h1", "questions", {"questions": QUESTIONS}, [{"contains": "14日以内"}, {"contains": "外国籍"}, {"handoff": True}],
           "手引きで答えられる別の質問と、手引きにない別の質問"),
    ],
    "m08.q2": [
        _h("h1", "continued", {"message": QUESTIONS[0], "history": EARLIER}, note="会話の続きの質問"),
        _h("h2", "first_turn", {"message": QUESTIONS[2], "history": []}, note="最初の質問"),
        _h("h3", "blank_message", {"message": "   ", "history": EARLIER}, note="空白だけのメッセージ"),
    ],
    "m08.q3": [
        _h("h1", "extra_columns", {"rows": [["受付番号", "質問", "受付日"]] + [[f"R{i:03d}", q, f"2027-04-0{i}"]
                                                                          for i, q in enumerate(QUESTIONS, 1)],
                                   "encoding": "utf-8-sig"}, note="BOM付きで、ほかの列もあるCSV"),
        _h("h2", "missing_column", {"rows": [["問い合わせ"], ["住宅扶助の上限額は？"]], "encoding": "utf-8"},
           note="「質問」の列がないCSV"),
    ],
    "m08.q4": [
        _h("h1", "app", {"question": QUESTIONS[1]}, {"contains": "外国籍"}, "手引きで答えられる別の質問"),
    ],
}
