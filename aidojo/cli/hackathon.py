"""CLI commands for aidojo.hackathon (registered by aidojo.cli): ``aidojo new`` and ``aidojo hackathon ...``.

``hackathon_app`` is the ``aidojo hackathon`` group: add a command with ``@hackathon_app.command()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

hackathon_app = typer.Typer(
    help="ハッカソン当日の道具（審査用の集計など）", no_args_is_help=True, add_completion=False
)


def new(
    template: Optional[str] = typer.Argument(None, help="テンプレート名（aidojo new --list で一覧）"),
    dest: Optional[Path] = typer.Argument(None, help="作成するフォルダ（存在しないか空であること）"),
    team: Optional[str] = typer.Option(None, "--team", help="チーム名（README と template.toml に書き込みます）"),
    list_: bool = typer.Option(False, "--list", help="テンプレートの一覧を表示"),
    from_problem: Optional[str] = typer.Option(None, "--from-problem", help="業務の困りごとから近いテンプレートを提案"),
) -> None:
    """ハッカソン用テンプレートから、新しいプロジェクトを作ります。"""
    from aidojo.hackathon import NewProjectError, create_project, list_templates, suggest, templates_dir

    try:
        if list_:
            templates = list_templates()
            if not templates:
                typer.echo(f"テンプレートが見つかりません（{templates_dir()}）。AIDOJO_TEMPLATES_DIR で場所を指定してください。", err=True)
                raise typer.Exit(1)
            for tpl in templates:
                typer.echo(tpl.line())
            return
        if from_problem is not None:
            suggestions = suggest(from_problem)
            for i, s in enumerate(suggestions, 1):
                typer.echo(f"{i}. {s.template.name}（{s.template.title_ja}） スコア {s.score:.2f} — {s.reason}")
            if not suggestions or suggestions[0].score < 1.0:
                typer.echo("はっきり合うテンプレートはありません。いちばん近いものから始め、README の手順で作り替えてください。")
            typer.echo("作成するには：aidojo new テンプレート名 フォルダ名 --team チーム名")
            return
        if not template or dest is None:
            typer.echo("テンプレート名と作成するフォルダを指定してください（例：aidojo new faq_bot ./team_a）。"
                       "一覧は aidojo new --list です。", err=True)
            raise typer.Exit(2)
        project = create_project(template, dest, team=team)
    except (NewProjectError, ValueError) as exc:
        typer.echo(f"エラー：{exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"作成しました：{project}")
    typer.echo(f"次に：cd {project} && python app.py   （テスト：python -m pytest tests）")


@hackathon_app.command("score")
def score(
    dirs: list[Path] = typer.Argument(..., help="チームのフォルダ（aidojo new で作ったもの。いくつでも）"),
    out: Path = typer.Option(Path("hackathon_score"), "--out", help="審査用の一覧（score.html・score.csv）を書くフォルダ"),
    timeout: int = typer.Option(600, "--timeout", min=10, help="1チームのテスト・シナリオ集それぞれの制限時間（秒）"),
    live: bool = typer.Option(False, "--live", help="練習用オフラインモデルではなく、各チームの設定した本物のAIで実行"),
) -> None:
    """各チームのテストとシナリオ集を実行し、審査用の一覧（HTML・CSV）を作ります。"""
    from aidojo.hackathon.score import score_teams, write_table

    def progress(row) -> None:
        state = "OK" if row.ok else "要確認：" + "／".join(row.findings)
        typer.echo(f"{row.team}：テスト {row.tests_passed if row.tests is not None else '—'}/{row.tests if row.tests is not None else '—'}、"
                   f"シナリオ合格率 {'—' if row.pass_rate is None else f'{row.pass_rate:.1%}'}、"
                   f"個人情報の漏れ {'—' if row.pii_leaks is None else row.pii_leaks}（{row.seconds:.0f} 秒）{state}")

    rows = score_teams(dirs, timeout=timeout, offline=not live, progress=progress)
    paths = write_table(rows, out, offline=not live)
    typer.echo(f"審査用の一覧を書きました：{paths['html']}（CSV：{paths['csv']}）")


def register(app: typer.Typer) -> None:
    """Add ``aidojo new`` and the ``aidojo hackathon`` group to the main app."""
    app.command("new")(new)
    app.add_typer(hackathon_app, name="hackathon")
