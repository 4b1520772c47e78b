"""Notebook helpers for the no-code track: ``ask(プロンプト)`` and the ipywidgets prompt playground.

``ask`` sends a prompt to the configured model through :func:`aidojo.llm.chat` and shows the reply
(or the Japanese error message); ``playground()`` is a text area, a 「送信」 button, the answer, and a
mirror of the five prompt elements (○/×) that updates as the learner types. The mirror is the rubric's reading of
the prompt — the same reading (:func:`aidojo.text.prompt_parse.read_prompt`) the practice model acts on. Marks
are ones every Japanese font has (no emoji font needed).
"""

from __future__ import annotations

import html
from typing import Any

from aidojo.checks import rubric
from aidojo.checks.result import NG_MARK, OK_MARK

_BOX = ('<div style="border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:4px 0;'
        'white-space:pre-wrap;font-size:1.05em;background:{bg}">{body}</div>')


class Reply(str):
    """The model's reply: a plain ``str`` that shows itself as readable text in a notebook."""

    error: str | None = None

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        bg = "#fff4f4" if self.error else "#f6f8fa"
        title = "【AIを呼び出せませんでした】" if self.error else "【AIの回答】"
        return _BOX.format(bg=bg, body=f"<b>{title}</b>\n" + html.escape(str(self)))


def _reply(messages: Any, **options: Any) -> Reply:
    from aidojo.llm import LLMError, chat

    try:
        return Reply(chat(messages, **options))
    except LLMError as exc:
        reply = Reply(str(exc))
        reply.error = getattr(exc, "kind", "error")
        return reply


def ask(prompt: object, **options: Any) -> Reply:
    """Send ``prompt`` to the configured model and return its reply (shown nicely in a notebook).

    A failed call does not raise: the reply is the Japanese error message (``reply.error`` is set).
    """
    text = rubric.clean_answer(prompt)
    if not text:
        reply = Reply("プロンプトが空です。\"\"\" と \"\"\" の間にプロンプトを書いて、そのセルを実行してから送ってください。")
        reply.error = "empty"
        return reply
    return _reply(text, **options)


class Conversation:
    """A conversation with follow-ups: each ``ask`` sends the earlier turns too (for refining answers)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []

    def ask(self, prompt: object, **options: Any) -> Reply:
        text = rubric.clean_answer(prompt)
        if not text:
            return ask(text)
        reply = _reply(self.messages + [{"role": "user", "content": text}], **options)
        if not reply.error:
            self.messages += [{"role": "user", "content": text}, {"role": "assistant", "content": str(reply)}]
        return reply

    def reset(self) -> None:
        self.messages.clear()


def element_mirror(prompt: object) -> rubric.RubricResult:
    """Which of the five elements the prompt has (the playground's ○/× list)."""
    return rubric.evaluate(prompt, rubric.five_elements())


def mirror_html(prompt: object) -> str:
    """The five-element mirror as HTML: ○ with the phrase found, × with what to add."""
    result = element_mirror(prompt)
    rows = []
    for req in rubric.five_elements():
        if req.key in result.met:
            rows.append(f'<span style="color:#1a7f37">{OK_MARK}</span> <b>{req.label}</b>：「{html.escape(result.met[req.key][1])}」')
        else:
            rows.append(f'<span style="color:#b42318">{NG_MARK}</span> <b>{req.label}</b>：{html.escape(req.hint)}')
    found = len(result.met)
    return (f'<div style="line-height:1.7"><b>プロンプトの5つの要素（{found}/5）</b><br>' + "<br>".join(rows) + "</div>")


class Playground:
    """The prompt playground: edit the prompt, press 「送信」, read the answer and the element mirror."""

    def __init__(self, prompt: str = "", **options: Any) -> None:
        import ipywidgets as widgets

        self.options = options
        self.text = widgets.Textarea(value=prompt, placeholder="ここにプロンプトを書いてください",
                                     layout=widgets.Layout(width="100%", height="180px"))
        self.button = widgets.Button(description="送信", button_style="primary", icon="paper-plane")
        self.clear_button = widgets.Button(description="クリア")
        self.answer = widgets.HTML(value="")
        self.mirror = widgets.HTML(value=mirror_html(prompt))
        self.button.on_click(lambda _: self.send())
        self.clear_button.on_click(lambda _: self.clear())
        self.text.observe(lambda change: self._update_mirror(), names="value")
        self.widget = widgets.VBox([
            widgets.HTML("<b>プロンプト練習場</b>：書き換えて「送信」を押すと、AIの回答と要素のチェックが表示されます。"),
            self.text, widgets.HBox([self.button, self.clear_button]), self.answer, self.mirror,
        ])

    def _update_mirror(self) -> None:
        self.mirror.value = mirror_html(self.text.value)

    def send(self) -> Reply:
        """Send the current prompt; show the answer and refresh the mirror."""
        reply = ask(self.text.value, **self.options)
        self.answer.value = reply._repr_html_()
        self._update_mirror()
        return reply

    def clear(self) -> None:
        self.text.value = ""
        self.answer.value = ""

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def playground(prompt: str = "", **options: Any) -> Playground:
    """A prompt playground widget (text area, 「送信」 button, answer, five-element mirror)."""
    return Playground(prompt, **options)


def capabilities() -> None:
    """Show what the offline practice model can and cannot do (once, at the top of m01)."""
    from aidojo.llm import CAPABILITIES_JA, load_settings

    try:
        settings = load_settings()
        offline = settings.provider == "offline"
        current = f"いま使っているAI：{settings.provider}（{settings.resolve_model()}）"
    except Exception as exc:  # a broken .env must not stop the lesson
        offline, current = True, f"AIの設定を読めませんでした：{exc}"
    text = CAPABILITIES_JA if offline else current + "\n（採点のときは、いつも練習用オフラインモデルが使われます。）"
    try:
        from IPython.display import HTML, display

        display(HTML(_BOX.format(bg="#fffbe6", body=html.escape(text))))
    except ImportError:  # outside Jupyter
        print(text)


__all__ = ["Reply", "ask", "Conversation", "element_mirror", "mirror_html", "Playground", "playground", "capabilities"]
