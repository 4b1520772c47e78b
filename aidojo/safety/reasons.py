"""Every handoff reason in one table: a stable English code, why (Japanese), the status line, the reply's extra sentence.

Codes are stable: logs, scenario suites and scoring key on them. Japanese text is what a citizen or a staff
member reads (the status line on the screen, the reason in the handoff record).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """One handoff reason: ``code`` (English, stable), ``reason_ja`` (why, for records), ``status_ja``
    (the visible one-line status), ``extra_ja`` (a sentence added to the citizen's reply, may be empty)."""

    code: str
    reason_ja: str
    status_ja: str
    extra_ja: str = ""


_TABLE: tuple[Reason, ...] = (
    # Decided from the question before any model call.
    Reason("injection", "AIへの指示を書き換えようとする入力のため", "職員におつなぎします（AIへの指示を変える内容が含まれていました）",
           "この内容にはAIではお答えできません。"),
    Reason("pii_in_question", "質問に個人情報が含まれているため", "職員におつなぎします（ご質問に個人情報が含まれていました）",
           "個人情報（氏名・住所・電話番号・マイナンバーなど）は入力しないでください。"),
    Reason("asked_for_person", "職員との対応を希望されたため", "職員におつなぎします（職員との対応をご希望です）"),
    Reason("low_retrieval_score", "資料に十分に関連する箇所が見つからないため", "職員におつなぎします（資料に該当する情報がありません）",
           "資料に該当する情報が見つかりませんでした。"),
    # Decided from the model call itself (aidojo.safety.guards).
    Reason("backend_timeout", "AIの応答が時間内に返ってこなかったため", "職員におつなぎします（AIの応答が時間内にありませんでした）"),
    Reason("backend_error", "AIのサーバーでエラーが起きたため", "職員におつなぎします（AIのサーバーでエラーが起きました）"),
    Reason("empty_reply", "AIから回答が返ってこなかったため", "職員におつなぎします（AIから回答がありませんでした）"),
    # Decided from the model's answer (aidojo.safety.guards).
    Reason("no_grounded_answer", "資料に基づく回答が得られないため", "職員におつなぎします（資料に基づく回答が得られませんでした）"),
    Reason("no_citation", "回答に出典が示されていないため", "職員におつなぎします（回答に出典がありませんでした）"),
    Reason("unknown_citation", "回答が示された資料にない出典を挙げたため", "職員におつなぎします（回答の出典が資料にありませんでした）"),
    Reason("unsupported_claim", "回答の内容（金額・日時・場所・手続きなど）が出典の資料で確かめられないため",
           "職員におつなぎします（回答の内容を資料で確かめられませんでした）"),
    Reason("pii_in_answer", "AIの回答に個人情報が含まれていたため", "職員におつなぎします（回答に個人情報が含まれていました）"),
)

REASONS: dict[str, Reason] = {r.code: r for r in _TABLE}

# Status lines that are not handoffs.
STATUS_ANSWERED_JA = "AIが資料をもとにお答えしています（出典つき）"
STATUS_WRITING_JA = "AIが回答を作成しています…"
STATUS_RETRYING_JA = "AIの応答に失敗したため、もう一度試しています…"


def reason_ja(code: str) -> str:
    """Why, in Japanese, for a reason ``code`` ("" for "" or an unknown code)."""
    r = REASONS.get(code)
    return r.reason_ja if r else ""


def status_ja(code: str) -> str:
    """The one-line status to show for a reason ``code`` (the answered status for "")."""
    if not code:
        return STATUS_ANSWERED_JA
    r = REASONS.get(code)
    return r.status_ja if r else "職員におつなぎします"
