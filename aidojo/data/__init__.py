"""Data sets shipped with the kit (with their licences beside them)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
TSU_GOMI_CSV = DATA_DIR / "tsu_gomi" / "gomi_bunbetsu.csv"
TSU_GOMI_ATTRIBUTION = "出典：津市オープンデータライブラリ『ごみ分別表』（CC BY 2.1 JP）を加工して作成"
TSU_GOMI_LICENSE_URL = "http://creativecommons.org/licenses/by/2.1/jp/"


def tsu_gomi_table():
    """The Tsu City garbage sorting table (3,996 items) as a pandas DataFrame (CC BY 2.1 JP)."""
    import pandas as pd

    return pd.read_csv(TSU_GOMI_CSV, encoding="utf-8-sig", dtype=str).fillna("")
