"""CLI commands for aidojo.records (registered by aidojo.cli): ``aidojo roster …`` and ``aidojo records …``.

Thin: each command parses options, calls ``aidojo.records`` and prints a Japanese summary. Libraries are imported
inside the commands so that ``aidojo`` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

roster_app = typer.Typer(help="職員名簿（人事課のCSV/Excel）の取り込み・確認・取り消し", no_args_is_help=True)
records_app = typer.Typer(help="修了記録: 一覧の出力、修了証と照合、KPIダッシュボード、操作記録", no_args_is_help=True)

DB_URL_HELP = "成績データベースのURL（省略時は AIDOJO_DB_URL か 採点データフォルダの gradebook.db）"
AS_OF_HELP = "この日の時点の記録と名簿で集計（YYYY-MM-DD）"
FY_HELP = "年度（4月〜翌3月）。その年度末（年度中なら今日）の時点で集計。例: 2026"


def _fail(exc: Exception, code: int = 1) -> None:
    typer.echo(str(exc), err=True)
    raise typer.Exit(code)


def _write_errors(path: Path, exc) -> None:
    """Every problem of a RosterError as a CSV HR opens in Excel (UTF-8 with BOM)."""
    import csv
    import io

    from aidojo.fileio import atomic_write_bytes
    from aidojo.records.audit import owner_only

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["ファイル", "行", "列", "内容"])
    for p in exc.details:
        writer.writerow([p.file, p.row or "", p.column, p.message])
    with owner_only():
        atomic_write_bytes(path, buf.getvalue().encode("utf-8-sig"))


@roster_app.command("import")
def roster_import(
    file: Path = typer.Argument(..., help="名簿ファイル（CSV: UTF-8/BOM付き/Shift_JIS/EUC-JP、または Excel。中身で判別）"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="基準日 YYYY-MM-DD（異動・退職の日付。省略時は今日）"),
    allow_many_leavers: bool = typer.Option(False, "--allow-many-leavers",
                                            help="在籍者の2割を超える人が名簿から消えても取り込む"),
    dry_run: bool = typer.Option(False, "--dry-run", help="新規・異動・変更・退職の一覧を表示するだけで、何も変更しない"),
    errors: Optional[Path] = typer.Option(None, "--errors", help="問題をすべてこのファイル（CSV）に書き出す"),
    limit: int = typer.Option(50, "--limit", help="--dry-run で一覧に表示する人数（種類ごと。0 で全員）"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """名簿を取り込みます（全件を検査してから一度に反映。問題があれば何も変更しません）。"""
    from aidojo.records.roster import import_roster
    from aidojo.records.roster_file import RosterError

    try:
        result = import_roster(file, as_of=as_of, allow_many_leavers=allow_many_leavers, dry_run=dry_run,
                               db_url=db_url)
    except RosterError as exc:
        if errors:
            _write_errors(errors, exc)
            typer.echo(f"問題 {len(exc.details)} 件をすべて {errors} に書き出しました。", err=True)
        _fail(exc)
    typer.echo(result.summary_ja())
    for note in result.notes:
        typer.echo(f"注意: {note}")
    if dry_run:
        typer.echo(result.lists_ja(limit))
        typer.echo("（--dry-run: 名簿も成績DBも変更していません）")


@roster_app.command("undo")
def roster_undo(
    yes: bool = typer.Option(False, "--yes", "-y", help="確認せずに取り消す"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """直前の名簿の取り込みを取り消し、その前の状態に戻します（取り消しも記録に残ります）。"""
    from aidojo.records.roster import undo_last_import
    from aidojo.records.roster_file import RosterError

    try:
        plan = undo_last_import(dry_run=True, db_url=db_url)
        typer.echo(f"取り消す取り込み: {plan.file}（基準日 {plan.effective_date}）。追加・変更された記録 {plan.removed} 件を"
                   f"削除し、{plan.reopened} 件を元に戻します。")
        if not yes and not typer.confirm("取り消しますか？"):
            raise typer.Exit(1)
        typer.echo(undo_last_import(db_url=db_url).summary_ja())
    except RosterError as exc:
        _fail(exc)


@roster_app.command("show")
def roster_show(
    staff_id: Optional[str] = typer.Argument(None, help="職員番号（指定するとその人の履歴を表示）"),
    limit: int = typer.Option(20, help="表示する人数（0 で全員）"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="この日の名簿を表示（YYYY-MM-DD）"),
) -> None:
    """名簿の状況（局ごとの在籍人数）と職員の一覧、または1人の履歴を表示します。"""
    from collections import Counter

    from aidojo.records.roster import load_roster, roster_history

    if staff_id:
        entries = roster_history(staff_id)
        if not entries:
            _fail(ValueError(f"職員番号 {staff_id} は名簿にありません。"))
        for e in entries:
            until = e.valid_to or "現在"
            typer.echo(f"{e.valid_from} 〜 {until}  {e.event:<3} {e.status} {e.name} {e.department} "
                       f"{e.title or e.role}（{e.role}）")
        return
    try:
        roster = load_roster(as_of=as_of)
    except ValueError as exc:
        _fail(exc)
    if not roster.people:
        typer.echo("名簿はまだ取り込まれていません（aidojo roster import FILE）。")
        return
    active = roster.active()
    typer.echo(f"名簿の基準日 {roster.last_import}: 在籍 {len(active)} 人、退職 {len(roster) - len(active)} 人")
    for bureau, count in sorted(Counter(p.bureau for p in active).items()):
        typer.echo(f"  {bureau}: {count} 人")
    shown = active if limit == 0 else active[:limit]
    for p in shown:
        typer.echo(f"{p.staff_id}\t{p.name}\t{p.department}\t{p.title or p.role}（{p.role}）")
    if len(shown) < len(active):
        typer.echo(f"…ほか {len(active) - len(shown)} 人（--limit 0 で全員）")


def _records(db_url: Optional[str], as_of: Optional[str], fiscal: Optional[int]):
    from aidojo.records.completion import compute_records

    try:
        return compute_records(db_url, as_of=as_of, fiscal=fiscal)
    except ValueError as exc:
        _fail(exc)


@records_app.command("export")
def records_export(
    out: Path = typer.Option(..., "--out", help="出力ファイル"),
    fmt: Optional[str] = typer.Option(None, "--format",
                                      help="xlsx | csv | json | history（研修履歴: 1人×コース1行のCSV）。省略時は --out の拡張子"),
    summary: bool = typer.Option(False, "--summary", help="課ごとの集計（部・局の小計、役職別の集計つき）を出力"),
    by_role: bool = typer.Option(False, "--by-role", help="役職別の集計を出力"),
    not_completed: Optional[str] = typer.Option(None, "--not-completed", metavar="TRACK",
                                                help="このコースの未修了者と不足している単元の一覧を出力"),
    fiscal: Optional[int] = typer.Option(None, "--fiscal-year", help=FY_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
    columns: Optional[str] = typer.Option(None, "--columns",
                                          help="出す列のグループ（例: -scores,-name で得点と氏名を外す。id,org,tracks で残す）"),
    encoding: Optional[str] = typer.Option(None, "--encoding", help="CSV の文字コード: utf-8（既定, BOM付き）| cp932"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """修了状況を出力します（xlsx は 一覧・課別集計・役職別集計・未修了者 の4シート）。"""
    from aidojo.records.export import ExportError, export_records

    if sum(map(bool, (summary, by_role, not_completed))) > 1:
        _fail(ValueError("--summary、--by-role、--not-completed は1つだけ指定できます。"))
    table = "summary" if summary else "roles" if by_role else "not_completed" if not_completed else "people"
    kind = (fmt or "").lower()
    if kind == "history":
        table, kind = "history", ("xlsx" if out.suffix.lower() == ".xlsx" else "csv")
    records = _records(db_url, as_of, fiscal)
    replaced: list[str] = []
    try:
        path = export_records(records, out, kind or (None if out.suffix else "xlsx"), table=table, track=not_completed,
                              columns=columns, encoding=encoding, fiscal=fiscal if table == "history" else None,
                              replaced=replaced)
    except ExportError as exc:
        _fail(exc)
    basis = f"、基準日 {records.as_of}" if records.as_of else ""
    typer.echo(f"{path} に出力しました（{len(records.people)} 人分の記録から{basis}）。")
    if records.backfilled:
        typer.echo(f"成績DBにあって提出記録になかった採点 {records.backfilled} 件を提出記録に加えました。")
    for line in replaced:
        typer.echo(f"注意: Shift_JIS にない文字: {line}", err=True)


@records_app.command("certificates")
def records_certificates(
    track: str = typer.Option(..., "--track", help="コース（executive / basic / builder）"),
    out: Path = typer.Option(..., "--out", help="PDF を書き出すフォルダ"),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="発行者名（修了証の末尾）"),
    combined: bool = typer.Option(True, "--combined/--no-combined", help="課ごとにまとめた印刷用 PDF も作る（課別/）"),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """修了者ごとに修了証（PDF）を作ります。番号・氏名・所属・照合コードは一度発行すると変わりません。"""
    from aidojo.records.certificates import DEFAULT_ISSUER, CertificateError, write_certificates

    records = _records(db_url, None, None)
    try:
        written = write_certificates(records, track, out, issuer=issuer or DEFAULT_ISSUER, combined=combined)
    except CertificateError as exc:
        _fail(exc)
    extra = "、課ごとの印刷用 PDF（課別/）" if combined and written else ""
    typer.echo(f"{out} に修了証 {len(written)} 枚{extra}と 修了証一覧.csv を出力しました。")
    ineligible = sum(1 for p in records.people if not p.tracks[track].eligible
                     and all(p.modules[m].passed for m in records.course.tracks[track].modules))
    if ineligible:
        typer.echo(f"（単元はそろっていても、このコースの対象の役職区分でないため修了証を作らなかった人: {ineligible} 人）")


@records_app.command("verify")
def records_verify(
    number_or_pdf: str = typer.Argument(..., help="修了証番号（AID-basic-2026-00001）か修了証の PDF"),
    code: Optional[str] = typer.Option(None, "--code", help="紙の修了証に印字された照合コード（XXXX-XXXX-XXXX）"),
) -> None:
    """修了証が本物か（発行記録と一致するか）をオフラインで確かめます。"""
    from aidojo.records.certificates import verify_certificate

    result = verify_certificate(number_or_pdf, code=code)
    typer.echo(result.text())
    if not result.ok:
        raise typer.Exit(1)


@records_app.command("dashboard")
def records_dashboard(
    out: Path = typer.Option(Path("report.html"), "--out", help="出力する HTML ファイル"),
    fiscal: Optional[int] = typer.Option(None, "--fiscal-year", help=FY_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
    db_url: Optional[str] = typer.Option(None, "--db-url", help=DB_URL_HELP),
) -> None:
    """KPI ダッシュボード（1ファイルで完結する HTML）を作ります。"""
    from aidojo.records.dashboard import write_dashboard
    from aidojo.records.fiscal import fy_label
    from aidojo.records.kpi import compute_kpis

    records = _records(db_url, as_of, fiscal)
    k = compute_kpis(records)
    write_dashboard(records, out, k)
    use = (f"AI利用率 {k.use_rate:.1%}（目標 {k.config.use_goal:.0%}）、" if k.usage_known else "AI利用の記録なし、")
    typer.echo(f"{out} を作りました（{fy_label(k.fiscal_year)}、{k.day} 時点）。{use}"
               f"基礎コース修了率 {k.basic_rate:.1%}（目標 {k.config.basic_completion_goal:.0%}）、"
               f"AI人材 {k.builder_completed} 人（目標 {k.config.builder_goal} 人）、"
               f"課のカバー率 {k.section_coverage:.1%}（目標 {k.config.section_coverage_goal:.0%}）")


@records_app.command("audit")
def records_audit(
    limit: int = typer.Option(30, "--limit", help="新しいものから表示する件数（0 で全件）"),
    action: Optional[str] = typer.Option(None, "--action", help="この操作だけ（roster.import, records.export など）"),
) -> None:
    """名簿の取り込み・出力・修了証の発行などの操作記録（だれが・いつ・何を）を表示します。"""
    from aidojo.records.audit import audit_path, read_audit

    entries, broken = read_audit()
    if action:
        entries = [e for e in entries if e.action.startswith(action)]
    shown = entries if limit == 0 else entries[-limit:]
    for e in shown:
        details = ", ".join(f"{k}={v}" for k, v in e.details.items() if v not in (None, "", [], {}))
        typer.echo(f"{e.at}  {e.user:<16} {e.action:<22} {details}")
    typer.echo(f"（{len(shown)} / {len(entries)} 件、{audit_path()}）")
    if broken:
        typer.echo(f"警告: 操作記録の {broken} 行目以降が書き換えられたか、削除された形跡があります。", err=True)
        raise typer.Exit(1)
    if entries:
        typer.echo("記録のつながり（ハッシュ）は正常です。")


def register(app: typer.Typer) -> None:
    """Add ``aidojo roster`` and ``aidojo records`` to the main app."""
    app.add_typer(roster_app, name="roster")
    app.add_typer(records_app, name="records")
