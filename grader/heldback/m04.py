"""m04 held-back cases (the former hidden tests of solutions/m04)."""

from aidojo.checks import Case


def _h(cid, kind, args, expect=None, note="", **kw):
    return Case(cid, kind, args, expect, note, hidden=True, **kw)


CASES = {
    "m04.q1": [
        _h("h1", "system_and_user", {"system": "あなたはみどり市こども未来課の職員です。", "question": "児童手当の申請はどこでできますか？"}, note="system と質問"),
        _h("h2", "empty_system", {"system": "", "question": "税金の納付書をなくしました。"}, note="system が空"),
        _h("h3", "multiline", {"system": "改行を含む\n指示です。", "question": "道路の街灯が消えています。"}, note="改行を含む system"),
    ],
    "m04.q2": [
        _h("h1", "valid", {"text": '{"category": "税金", "urgent": false, "summary": "住民税の納付方法"}'},
           {"category": "税金", "urgent": False, "summary": "住民税の納付方法"}, "正しいJSON"),
        _h("h2", "fenced", {"text": '\n```json\n{"category": "その他", "urgent": true, "summary": "公園の木が倒れそう"}\n```\n'},
           {"category": "その他", "urgent": True, "summary": "公園の木が倒れそう"}, "前後に改行があり```jsonで囲まれたJSON"),
        _h("h3", "wrong_type", {"text": '{"category": "ごみ", "urgent": "はい", "summary": "収集日"}'}, None, "urgent が真偽値でないJSON"),
        _h("h4", "missing_field", {"text": '{"category": "道路"}'}, None, "項目が足りないJSON"),
        _h("h5", "empty", {"text": ""}, None, "空の返事"),
        _h("h6", "truncated", {"text": '{"category": "子育て", "urgent": false, "summary": "学童保育"'}, None, "途中で切れたJSON"),
    ],
    "m04.q3": [
        _h("h1", "fenced_reply", {"question": "住民税の納付書が届きません。",
                                  "reply": '```json\n{"category": "税金", "urgent": false, "summary": "納付書が届かない"}\n```'},
           {"category": "税金", "urgent": False, "summary": "納付書が届かない"}, "```jsonで囲まれた返事"),
        _h("h2", "bad_reply", {"question": "ごみ集積所が燃えています！", "reply": "JSONでは答えられません。"}, None, "JSONではない返事"),
        _h("h3", "bad_reply", {"question": "保育園の空き状況を知りたい。",
                               "reply": '{"category": "保育", "urgent": false, "summary": "空き状況"}'}, None, "一覧にないカテゴリの返事"),
        _h("h4", "offline_model", {"question": "公園の水道が壊れて水が出っぱなしです。"}, None, "練習用オフラインモデル"),
    ],
    "m04.q4": [
        _h("h1", "transient_then_ok", {"script": [500, 500, "回復しました"], "attempts": 3}, {"result": "回復しました", "calls": 3}, "500が2回続いてから成功"),
        _h("h2", "client_error", {"script": [401, "ok"], "attempts": 3}, {"result": "AuthenticationError", "calls": 1}, "401（認証の誤り）"),
        _h("h3", "gives_up", {"script": [429, 429, 429, 429, 429, "ok"], "attempts": 5}, {"result": "RateLimitError", "calls": 5}, "429が続く（5回まで）"),
        _h("h4", "transient_then_ok", {"script": [502, 429, "ok"], "attempts": 4}, {"result": "ok", "calls": 3}, "502→429→成功"),
        _h("h5", "client_error", {"script": [404, "ok"], "attempts": 3}, {"result": "NotFoundError", "calls": 1}, "404（見つからない）"),
    ],
    "m04.q5": [
        _h("h1", "both", {"prompt": 987654, "completion": 12345, "price_in": 37.5, "price_out": 150.0}, note="大きなトークン数"),
        _h("h2", "both", {"prompt": 1, "completion": 1, "price_in": 1_000_000.0, "price_out": 2_000_000.0}, note="高い単価"),
        _h("h3", "free_input", {"prompt": 250000, "completion": 500000, "price_in": 0.0, "price_out": 600.0}, note="入力が無料"),
    ],
}
