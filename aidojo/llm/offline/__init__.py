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
本物の生成AIではありません。プロンプトを読み取り、頼まれた仕事を決まった手順で行います（同じ入力には同じ答え）。
・お知らせ・報道発表の下書き（渡した日時・場所などの事実をそのまま使い、ないものは〔 〕で空けます）
・書かれた選択肢への分類（例が書いてあれば、その形に合わせます）
・要件や資料と照らし合わせた、1つずつの確認（○・×と理由）
・要約・議事録（字数・箇条書きの数を守ります）、やさしい日本語への書き換え、丁寧な返信文
・指定されたキーと選択肢を守ったJSON
・挨拶文（渡した事実だけで、頼んだ長さに。3分なら約900字）、議会の想定問答（決まっていないことは「確認が必要」）、
　国の通知の「市がすべきことと期限」、Excelの式とその説明
・与えた資料だけに基づく回答（資料に答えがなければ「分かりません。担当者に引き継ぎます。」）
・資料なしで事実を聞かれたときは、わざと、もっともらしい作り話で答えます（ハルシネーションの見本。答えの下に表示します）
文章を新しく考える力はなく、言葉の置き換えと、資料の文の抜き出し・並べ替え、決まった言い回しへの当てはめだけで答えます。
本物のAIを使うときは、研修担当の案内に従って設定を変えてください。"""


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
