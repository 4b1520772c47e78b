"""``aidojo``: the one front door. Each sub-module registers its own commands.

Heavy libraries (gradio, nbgrader, pandas) are imported inside the commands, so that
``aidojo --help`` stays fast.
"""

from __future__ import annotations

import typer

from aidojo.cli import course, demo, doctor, evals, hackathon, hub, lab, llm, records

app = typer.Typer(
    name="aidojo",
    help="AI道場 (AI Dojo): 研修・採点・修了記録・ハッカソンのためのコマンド",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

for _module in (doctor, lab, llm, evals, course, records, hackathon, demo, hub):
    _module.register(app)


def main() -> None:
    """Entry point of the ``aidojo`` command."""
    app()
