"""``aidojo hub``: the workshop server (JupyterHub + the AI gateway) and the trainer's commands around it."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

hub_app = typer.Typer(help="研修用サーバー（JupyterHub）。サブコマンドなしで起動します。", invoke_without_command=True,
                      no_args_is_help=False)


def _settings(ctx: typer.Context):
    return ctx.obj["settings"]


@hub_app.callback()
def hub(ctx: typer.Context,
        config: Optional[Path] = typer.Option(None, "--config", help="設定ファイル（省略時は ハブフォルダ/hub.toml）"),
        hub_dir: Optional[Path] = typer.Option(None, "--hub-dir", envvar="AIDOJO_HUB_DIR", help="ハブのフォルダ（既定 ~/.aidojo/hub）"),
        ip: Optional[str] = typer.Option(None, "--ip", help="待ち受けるアドレス（教室のPCから使うなら 0.0.0.0）"),
        port: Optional[int] = typer.Option(None, "--port", help="ポート番号（既定 8000）"),
        trainer: Optional[List[str]] = typer.Option(None, "--trainer", help="研修担当の職員番号（繰り返し可）"),
        auth: Optional[str] = typer.Option(None, "--auth", help="passwords / native / ldap"),
        spawner: Optional[str] = typer.Option(None, "--spawner", help="local / systemd")) -> None:
    """研修用サーバーを起動します（名簿の職員がログインでき、AIのキーはサーバーの中だけに置きます）。"""
    from aidojo.hub.settings import HubSettingsError, load_settings

    try:
        settings = load_settings(config, hub_dir=hub_dir, ip=ip, port=port, trainers=trainer or None, auth=auth,
                                 spawner=spawner)
    except HubSettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    ctx.obj = {"settings": settings}
    if ctx.invoked_subcommand is not None:
        return
    from aidojo.hub.accounts import AccountsError, require_accounts
    from aidojo.hub.run import run_hub

    try:
        accounts = require_accounts(settings)
    except AccountsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)
    learners = sum(1 for a in accounts if not a.trainer)
    typer.echo(f"AI道場 研修用サーバーを起動します: {settings.login_url}")
    typer.echo(f"  受講者 {learners} 人（名簿から）、研修担当 {', '.join(settings.trainers)}、ログイン方式 {settings.auth}")
    if settings.spawner == "local":
        typer.echo("  注意: spawner=local は全員が同じOSユーザーで動きます（試用・テスト用）。本番は --spawner systemd。")
    typer.echo("  止めるときは Ctrl+C。")
    raise typer.Exit(run_hub(settings))


@hub_app.command("passwords")
def passwords_cmd(ctx: typer.Context,
                  out: Path = typer.Option(..., "--out", help="出力ファイル（.pdf は切り取り式カード、.csv は Excel 用）"),
                  days: int = typer.Option(1, "--days", help="有効日数（既定 1 = 今日の23:59まで）"),
                  staff_id: Optional[List[str]] = typer.Option(None, "--staff-id", help="この職員だけ（繰り返し可。省略時は名簿の全員）")) -> None:
    """研修用パスワードを発行し、配布用のPDFかCSVを作ります（再発行すると前のパスワードは使えなくなります）。"""
    from aidojo.hub.accounts import hub_accounts
    from aidojo.hub.passwords import issue_passwords, write_sheet
    from aidojo.text.staff_id import StaffIdError, normalize_staff_id

    settings = _settings(ctx)
    accounts = hub_accounts(settings)
    if staff_id:
        try:
            wanted = {normalize_staff_id(s) for s in staff_id}
        except StaffIdError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2)
        unknown = wanted - {a.staff_id for a in accounts}
        if unknown:
            typer.echo(f"名簿にない職員番号です: {', '.join(sorted(unknown))}", err=True)
            raise typer.Exit(1)
        accounts = [a for a in accounts if a.staff_id in wanted]
    if not accounts:
        typer.echo("名簿が取り込まれていません。先に aidojo roster import を実行してください。", err=True)
        raise typer.Exit(1)
    if Path(out).suffix.lower() not in (".pdf", ".csv"):
        typer.echo(f"{out.name}: 出力ファイルは .pdf か .csv にしてください。", err=True)
        raise typer.Exit(2)
    issued = issue_passwords(settings.hub_dir, accounts, days=days)
    path = write_sheet(issued, out, settings.login_url)
    typer.echo(f"{len(issued)} 人分のパスワードを発行しました: {path}（有効期限 {issued[0].expires:%Y-%m-%d %H:%M}）")
    typer.echo("このファイルには平文のパスワードが入っています。配布後は削除してください。")


@hub_app.command("unix-users")
def unix_users_cmd(ctx: typer.Context, apply_: bool = typer.Option(False, "--apply", help="表示したコマンドを実行する（root）")) -> None:
    """spawner=systemd 用に、名簿の職員ごとのUnixアカウントを作ります（まず実行するコマンドを表示）。"""
    from aidojo.hub.accounts import hub_accounts
    from aidojo.hub.unix import UnixUsersError, apply, plan

    settings = _settings(ctx)
    try:
        steps = plan(hub_accounts(settings), settings)
        for step in steps:
            typer.echo(str(step))
        if apply_:
            apply(steps)
            typer.echo(f"{len(steps)} 個のコマンドを実行しました。")
        else:
            typer.echo("実行するには --apply を付けてください。")
    except UnixUsersError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1)


@hub_app.command("helm-values")
def helm_values_cmd(ctx: typer.Context, out: Path = typer.Option(Path("values.yaml"), "--out", help="出力する values.yaml"),
                    hub_image: str = typer.Option("registry.city.example/aidojo-hub:1.0", "--hub-image",
                                                  help="aidojo を入れたハブのイメージ")) -> None:
    """Kubernetes（Zero to JupyterHub）用の Helm values を同じ設定から作ります。"""
    from aidojo.hub.accounts import hub_accounts
    from aidojo.hub.helm import check_values, helm_values, write_values

    settings = _settings(ctx)
    values = helm_values(settings, hub_accounts(settings), hub_image=hub_image)
    problems = check_values(values)
    if problems:
        typer.echo("values がスキーマに合いません:\n" + "\n".join(problems), err=True)
        raise typer.Exit(1)
    typer.echo(f"作成しました: {write_values(values, out)}（手順: docs/trainer/hub.md）")


@hub_app.command("return-feedback")
def return_feedback_cmd(ctx: typer.Context, modules: List[str] = typer.Argument(..., help="モジュール 例: m01"),
                        student: Optional[List[str]] = typer.Option(None, "--student", help="この職員番号だけ（繰り返し可）")) -> None:
    """aidojo feedback で作ったフィードバックを exchange で受講者に返します（Assignments タブで受け取り）。"""
    from aidojo.course.layout import CourseLayout
    from aidojo.hub.exchange import return_feedback

    settings = _settings(ctx)
    layout = CourseLayout(data_dir=settings.course_dir, exchange_dir=settings.exchange)
    failed = False
    for module in modules:
        result = return_feedback(module, layout=layout, students=student or None)
        typer.echo(result.text())
        failed |= bool(result.problems)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``aidojo hub`` to the main app."""
    app.add_typer(hub_app, name="hub")
