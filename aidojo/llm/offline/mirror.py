"""When no job fits: name the prompt elements the ONE reader found (the same list the playground shows)."""

from __future__ import annotations

from aidojo.text.prompt_parse import read_prompt

OK_MARK, NG_MARK = "○", "×"  # marks every Japanese font has (no emoji font needed)

_ELEMENT_HINTS_JA = {
    "role": "「あなたは市役所の広報担当です」のように、AIの立場を決めましょう。",
    "purpose": "何のために・誰に向けた文章かなど、目的や背景を書きましょう。",
    "instruction": "「〜を作成してください」のように、してほしいことを一つの文ではっきり書きましょう。",
    "constraints": "文字数や「資料にないことは書かない」など、守ってほしい条件を書きましょう。",
    "output_format": "箇条書き・表・見出しなど、答えの形を指定しましょう。",
}
_ELEMENT_NAMES_EN = {
    "role": "Role",
    "purpose": "Purpose/background",
    "instruction": "Instruction",
    "constraints": "Constraints",
    "output_format": "Output format",
}


def mirror(prompt: str, *, english: bool = False) -> str:
    """Name the prompt elements found (with the phrase that shows each) and what is missing."""
    elements = read_prompt(prompt).elements
    found = [e for e in elements.values() if e.present]
    if english:
        lines = ["(Offline practice model) I could not tell which job to do. Elements found in your prompt:"]
        for e in elements.values():
            mark = OK_MARK if e.present else NG_MARK
            lines.append(f"{mark} {_ELEMENT_NAMES_EN[e.key]}: " + (f'"{e.evidence}"' if e.present else "not found"))
        lines.append(f"{len(found)} of 5 elements. Say what to do (summarise, classify, write a notice, answer from a source…).")
        return "\n".join(lines)
    lines = ["（練習用オフラインモデル）何をすればよいか読み取れませんでした。このプロンプトから読み取れた要素："]
    for e in elements.values():
        if e.present:
            lines.append(f"{OK_MARK} {e.label}：「{e.evidence}」")
        else:
            lines.append(f"{NG_MARK} {e.label}：見つかりません — {_ELEMENT_HINTS_JA[e.key]}")
    lines.append(f"5つの要素のうち{len(found)}つが含まれています。"
                 "要約・分類・お知らせ作成・資料にもとづく回答など、してほしいことをはっきり書くと、練習用モデルがその仕事をします。")
    return "\n".join(lines)


__all__ = ["mirror", "OK_MARK", "NG_MARK"]
