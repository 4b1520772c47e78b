"""m05 held-back cases (the former hidden tests of solutions/m05)."""

from aidojo.checks import Case


def _h(cid, kind, args, expect=None, note="", **kw):
    return Case(cid, kind, args, expect, note, hidden=True, **kw)


CASES = {
    "m05.q1": [
        _h("h1", "category_reply", {"text": "学童保育の時間を延ばしてほしい。", "reply": "子育て"}, "子育て", "AIが「子育て」と答えた"),
        _h("h2", "padded_reply", {"text": "避難所に冷暖房を。", "reply": "\n防災\n"}, "防災", "改行のある返事"),
        _h("h3", "other_reply", {"text": "介護の相談窓口がほしい。", "reply": "カテゴリ：福祉"}, "その他", "カテゴリ名以外の文字を含む返事"),
        _h("h4", "empty_reply", {"text": "計画の資料が長い。", "reply": ""}, "その他", "空の返事"),
        _h("h5", "offline_model", {"text": "ごみの分別が細かすぎて分かりにくいです。リサイクルの案内を作ってください。"}, "ごみ",
           "練習用オフラインモデル"),
        _h("h6", "offline_model", {"text": "高齢の親が一人で暮らしており、介護と見守りのサービスを増やしてほしいです。"}, "福祉",
           "練習用オフラインモデル"),
        _h("h7", "offline_model", {"text": "コミュニティバスの路線を延ばしてほしいです。"}, "交通", "練習用オフラインモデル"),
    ],
    "m05.q2": [
        _h("h1", "missing_categories", {"labels": ["その他"] * 5 + ["ごみ"] * 2}, note="2つのカテゴリしかない表"),
        _h("h2", "all_categories", {"labels": ["防災", "交通", "子育て", "福祉", "ごみ", "その他", "子育て", "子育て", "防災"]},
           note="全カテゴリがある表"),
        _h("h3", "missing_categories", {"labels": ["交通"]}, note="1件だけの表"),
    ],
    "m05.q3": [
        _h("h1", "counts", {"counts": [10, 20, 30, 40, 50, 60]}, note="増えていく件数"),
        _h("h2", "with_zero", {"counts": [0, 0, 7, 0, 0, 1]}, note="0件の多い件数"),
        _h("h3", "counts", {"counts": [5, 5, 5, 5, 5, 6]}, note="ほぼ同じ件数"),
    ],
    "m05.q4": [
        _h("h1", "several", {"category": "防災", "opinions": ["避難所の体育館に冷暖房がありません。", "ハザードマップの説明会を開いてほしい。",
                                                            "防災無線が聞き取れません。", "備蓄の量を示してほしい。"]}, note="意見が4件"),
        _h("h2", "single", {"category": "福祉", "opinions": ["見守りのサービスを増やしてほしいです。"]}, note="意見が1件だけ"),
    ],
}
