"""Japanese messages for the failures learners hit, built from the SDK's own exception types."""

from __future__ import annotations

import openai


class LLMError(RuntimeError):
    """A model call failed; the message says in Japanese what happened and what to do."""

    def __init__(self, message: str, *, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


class LLMConfigError(LLMError):
    """The backend is not configured correctly (missing key, endpoint, …)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="config")


def _code(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    err = body.get("error", body) if isinstance(body, dict) else {}
    code = err.get("code") if isinstance(err, dict) else None
    return str(code or getattr(exc, "code", "") or "")


def explain(exc: BaseException) -> LLMError:
    """Turn an ``openai`` exception into an :class:`LLMError` with a Japanese message (no secrets)."""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return LLMError("AIの応答が時間内に返ってきませんでした（タイムアウト）。少し待ってから、もう一度実行してください。"
                        "続く場合は AIDOJO_TIMEOUT を長くするか、研修担当に連絡してください。", kind="timeout")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError("AIのサーバーに接続できませんでした。接続先（OPENAI_BASE_URL / AZURE_OPENAI_ENDPOINT）と"
                        "ネットワークを確認してください。オフラインで練習するなら AIDOJO_PROVIDER=offline にしてください。",
                        kind="connection")
    if isinstance(exc, openai.AuthenticationError):
        return LLMError("APIキーが正しくありません（認証エラー）。.env のキーを確認してください。キーは画面やノートブックに"
                        "書かず、.env か環境変数にだけ置いてください。", kind="auth")
    if isinstance(exc, openai.PermissionDeniedError):
        return LLMError("このキーではこのモデルを使う権限がありません。研修担当に確認してください。", kind="permission")
    if isinstance(exc, openai.NotFoundError):
        return LLMError("モデルまたは接続先が見つかりません。AIDOJO_MODEL（Azureではデプロイ名）と接続先URLを確認してください。",
                        kind="not_found")
    if isinstance(exc, openai.RateLimitError):
        if _code(exc) == "insufficient_quota":
            return LLMError("利用上限（クォータ）に達しました。今月の利用枠を研修担当に確認してください。", kind="quota")
        return LLMError("短い時間に呼び出しが多すぎます（429）。自動で再試行しましたが混み合っています。1分ほど待ってから"
                        "もう一度実行してください。", kind="rate_limit")
    if isinstance(exc, openai.BadRequestError):
        if _code(exc) == "content_filter" or "content_filter" in str(exc) or "content management policy" in str(exc):
            return LLMError("入力または出力が安全フィルター（コンテンツフィルター）で止められました。表現を見直してください。",
                            kind="content_filter")
        if "context_length" in _code(exc) or "maximum context length" in str(exc):
            return LLMError("入力が長すぎます。資料を短くするか、分けて送ってください。", kind="too_long")
        return LLMError("リクエストの内容に誤りがあります（400）。メッセージの形式やパラメータを確認してください。", kind="bad_request")
    if isinstance(exc, openai.InternalServerError) or (isinstance(exc, openai.APIStatusError) and exc.status_code >= 500):
        return LLMError("AIのサーバー側でエラーが起きました（5xx）。自動で再試行しましたが失敗しました。時間をおいて"
                        "もう一度実行してください。", kind="server")
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"AIの呼び出しが失敗しました（HTTP {exc.status_code}）。", kind="status")
    return LLMError(f"AIの呼び出しで予期しないエラーが起きました：{type(exc).__name__}", kind="unexpected")


def content_filtered(finish_reason: str | None) -> LLMError | None:
    """An error for a reply cut off by a content filter (``finish_reason == 'content_filter'``)."""
    if finish_reason == "content_filter":
        return LLMError("出力が安全フィルター（コンテンツフィルター）で止められました。表現を見直してください。",
                        kind="content_filter")
    return None
