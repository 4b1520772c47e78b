"""One way to reach a model: ``client()``, ``chat()``, ``stream_chat()`` for every backend.

Backends (``AIDOJO_PROVIDER``): ``offline`` (default), ``openai``, ``azure``, ``compatible``.
Settings come from the environment or ``.env``; see :mod:`aidojo.llm.config`.
"""

from aidojo.llm.chat import chat, stream_chat, to_messages
from aidojo.llm.client import async_client, client, model_name
from aidojo.llm.config import MODEL_ALIASES, Settings, load_settings
from aidojo.llm.errors import LLMConfigError, LLMError, explain
from aidojo.llm.offline import CAPABILITIES_JA, HANDOFF_REPLY, offline_client
from aidojo.llm.scripted import scripted_client

__all__ = [
    "client",
    "async_client",
    "chat",
    "stream_chat",
    "to_messages",
    "model_name",
    "Settings",
    "load_settings",
    "MODEL_ALIASES",
    "LLMError",
    "LLMConfigError",
    "explain",
    "offline_client",
    "scripted_client",
    "CAPABILITIES_JA",
    "HANDOFF_REPLY",
]
