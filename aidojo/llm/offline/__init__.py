"""The embedded offline practice model, served through the real ``openai`` SDK.

``offline_client()`` returns an ``openai.OpenAI`` whose HTTP calls never leave the process.
What the model can do: see ``aidojo.llm.offline.engine`` and ``CAPABILITIES_JA``.
"""

from __future__ import annotations

import httpx
import openai

from aidojo.llm.offline.engine import HANDOFF_REPLY, MODEL_NAME, respond
from aidojo.llm.offline.transport import AsyncOfflineTransport, OfflineTransport

BASE_URL = "http://aidojo-offline.invalid/v1"
API_KEY = "offline-practice-no-key-needed"

CAPABILITIES_JA = """\
この教材は、インターネットにつながらない「練習用オフラインモデル」（aidojo-offline-practice）で動きます。
本物の生成AIではありません。プロンプトを読み取り、次のことだけを決まった手順で行います（同じ入力には同じ答え）。
・資料の要約（文字数・箇条書きの数の指定を守ります）
・プロンプトに書かれた選択肢への分類（例が書いてあれば参考にします）
・指定されたキーを持つJSONの出力
・与えた資料だけに基づく回答（資料に答えがなければ「分かりません。担当者に引き継ぎます。」）
・それ以外は、プロンプトに含まれる要素（役割・目的/背景・指示・制約・出力形式）を映し返します
文章を新しく考えて書く力はありません。本物のAIを使うときは、研修担当の案内に従って設定を変えてください。"""


def offline_client(**kwargs) -> openai.OpenAI:
    """An ``openai.OpenAI`` client whose requests are answered in-process by the practice model."""
    return openai.OpenAI(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=OfflineTransport()),
        max_retries=0,
        **kwargs,
    )


def async_offline_client(**kwargs) -> openai.AsyncOpenAI:
    """An ``openai.AsyncOpenAI`` client answered in-process by the practice model."""
    return openai.AsyncOpenAI(
        api_key=API_KEY,
        base_url=BASE_URL,
        http_client=httpx.AsyncClient(transport=AsyncOfflineTransport()),
        max_retries=0,
        **kwargs,
    )


__all__ = [
    "MODEL_NAME",
    "HANDOFF_REPLY",
    "CAPABILITIES_JA",
    "offline_client",
    "async_offline_client",
    "respond",
    "OfflineTransport",
    "AsyncOfflineTransport",
]
