"""Generate solutions/m05/opinions.csv: 320 fictional public comments (パブリックコメント) for みどり市.

Everything is synthetic: the city, districts, facilities and people are fictional, and the few phone
numbers written into opinions are made up (they let m05/m06 show why text is masked before sending).
Deterministic (fixed seed): running it again writes the same file.

    python scripts/make_opinions_csv.py            # writes solutions/m05/opinions.csv
"""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "solutions" / "m05" / "opinions.csv"
ROWS = 320
SEED = 20261123

DISTRICTS = ["中央地区", "青葉地区", "若葉地区", "桜台地区", "港南地区", "北山地区"]
AGES = ["10代", "20代", "30代", "40代", "50代", "60代", "70代", "80代以上"]
AGE_WEIGHTS = [2, 8, 16, 18, 16, 16, 15, 9]
PLACES = {"中央地区": "みどり中央駅", "青葉地区": "青葉台バス停", "若葉地区": "若葉小学校", "桜台地区": "桜台公民館",
          "港南地区": "港南ふれあいセンター", "北山地区": "北山支所"}

# (category the sentence is about, template). {place} is a place in the writer's district.
TEMPLATES: dict[str, list[str]] = {
    "子育て": [
        "保育園の待機児童がまだ多いと聞きます。{place}の近くにも保育園を増やしてほしいです。",
        "学童保育の終わる時間が早く、共働きの家庭には厳しいです。せめて19時まで延長してください。",
        "小学校の給食費の負担を軽くする計画に賛成です。子育て世帯として本当に助かります。",
        "子どもが安心して遊べる屋内の施設が市内に少ないので、雨の日に行ける場所がほしいです。",
        "出産前後の家庭への支援をもっと分かりやすく案内してほしいです。どこに相談すればよいか迷いました。",
        "放課後に子どもが勉強できる場所として、図書館の学習スペースを広げてほしいです。",
        "病児保育を使える施設が市内に一つしかなく、予約がすぐ埋まってしまいます。",
        "幼稚園と保育園の情報を一つのサイトで比べられるようにしてほしいです。",
    ],
    "交通": [
        "{place}から市役所方面へのバスの本数が減り、通院や買い物に困っています。",
        "朝の{place}周辺は渋滞がひどく、バスが時刻表どおりに来ません。",
        "駅前の駐輪場が足りず、自転車を止める場所を探すのに毎朝苦労しています。",
        "コミュニティバスの路線を{place}まで延ばしてほしいです。車を手放した高齢者には欠かせません。",
        "歩道が狭く、自転車とすれ違うときに危ないと感じます。通学路の歩道を広げてください。",
        "信号のない横断歩道で車が止まってくれません。{place}の前に信号をつけてほしいです。",
        "電車とバスの乗り継ぎが悪く、駅で長く待たされます。ダイヤを合わせてほしいです。",
        "デマンド交通の予約を電話だけでなくスマホからもできるようにしてほしいです。",
    ],
    "ごみ": [
        "ごみの分別が細かすぎて分かりにくいです。外国の方にも分かる案内を作ってください。",
        "{place}近くの集積所でカラスがごみを散らかしています。防鳥ネットを配ってほしいです。",
        "粗大ごみの収集の申し込みが電話しかなく、つながりにくいです。ネットで申し込みたいです。",
        "資源ごみの収集が月に1回だけなので、家にたまってしまいます。回数を増やしてください。",
        "河川敷への不法投棄が目立ちます。見回りを強化してほしいです。",
        "リサイクルの取り組みを学校でも教えてほしい。子どもから家庭に広がると思います。",
        "プラスチックごみの収集を始める計画に賛成です。分別のルールを早めに知らせてください。",
        "ごみ収集の時間が早すぎて、夜勤明けでは間に合わないことがあります。",
    ],
    "防災": [
        "{place}の周りは大雨のたびに道路が冠水します。排水の対策を急いでください。",
        "避難所になっている体育館に冷暖房がありません。夏や冬の災害が心配です。",
        "ハザードマップを配るだけでなく、地域ごとの説明会を開いてほしいです。",
        "地震のときに一人暮らしの高齢者をだれが助けに行くのか、決めておく必要があると思います。",
        "防災無線が家の中では聞き取れません。スマホに届く仕組みをもっと広めてください。",
        "夜道が暗く、防犯の面でも不安です。{place}までの道に街灯を増やしてほしいです。",
        "備蓄している水や食料の量が足りるのか、市の計画で示してほしいです。",
        "台風のときの避難の判断が難しいです。避難情報をもっと早く出してください。",
    ],
    "福祉": [
        "介護をしている家族が相談できる窓口を、{place}の近くにも作ってほしいです。",
        "高齢の親が一人で暮らしており、見守りのサービスを増やしてほしいです。",
        "認知症の方とその家族が集まれる場所が、地域にもっとあるとよいと思います。",
        "障害のある人が働ける場所を増やす取り組みを、計画にはっきり書いてください。",
        "特定健診の予約が取りにくいです。休日に受けられる病院を増やしてほしいです。",
        "救急車が来るまでの時間が長くなっていると聞きます。救急の体制を強めてください。",
        "デイサービスの送迎の範囲が狭く、{place}からは使えないと言われました。",
        "予防接種の案内が分かりにくいです。対象の年齢と時期を一覧にしてほしいです。",
    ],
    "その他": [
        "計画の資料が長くて読むのが大変でした。要点を1枚にまとめたものがほしいです。",
        "パブリックコメントの締め切りが短いと感じます。もう少し期間を取ってください。",
        "市役所の窓口の待ち時間が長いです。手続きをオンラインでできるようにしてほしいです。",
        "計画をつくるときに、若い世代の声をもっと聞いてほしいです。",
        "市の財政が厳しいなかで、この計画にどれくらいの予算がかかるのか示してください。",
        "空き家が増えています。空き家を活用する方法を計画に入れてほしいです。",
        "{place}の周りに、気軽に集まれる広場やベンチがほしいです。",
        "市のホームページで計画の進み具合を見られるようにしてください。",
    ],
}
WEIGHTS = {"子育て": 62, "交通": 66, "ごみ": 48, "防災": 44, "福祉": 52, "その他": 48}
OPENERS = ["", "", "", "", "計画案を読みました。", "いつもお世話になっております。", "一市民として意見を送ります。",
           "意見を述べます。", "長年この地区に住んでいる者です。"]
CLOSERS = ["", "", "", "", "よろしくお願いします。", "ぜひ検討してください。", "前向きな対応を期待しています。",
           "計画に反映していただけるとうれしいです。"]
CONTACT_ROWS = {17: "連絡先：090-4821-3375（平日の夜ならつながります）", 88: "回答は 080-2391-5640 までお願いします。",
                151: "ご不明な点は 045-312-7788 にお電話ください。", 242: "連絡先 070-6619-0827"}
PERIOD_START = date(2026, 9, 1)


def make_rows(n: int = ROWS, seed: int = SEED) -> list[dict[str, str]]:
    """``n`` rows of fictional opinions; the same seed gives the same rows."""
    rng = random.Random(seed)
    cats = list(WEIGHTS)
    rows = []
    for i in range(1, n + 1):
        district = rng.choice(DISTRICTS)
        cat = rng.choices(cats, weights=[WEIGHTS[c] for c in cats])[0]
        text = rng.choice(TEMPLATES[cat]).format(place=PLACES[district])
        if rng.random() < 0.12:  # some people write about a second topic too
            other = rng.choice([c for c in cats if c not in (cat, "その他")])
            text += rng.choice(TEMPLATES[other]).format(place=PLACES[district])
        text = rng.choice(OPENERS) + text + rng.choice(CLOSERS)
        if i in CONTACT_ROWS:
            text += CONTACT_ROWS[i]
        received = PERIOD_START + timedelta(days=min(29, int(rng.triangular(0, 30, 27))))
        rows.append({"id": f"PC-{i:04d}", "受付日": received.isoformat(), "年代": rng.choices(AGES, AGE_WEIGHTS)[0],
                     "地区": district, "意見": text})
    rows.sort(key=lambda r: (r["受付日"], r["id"]))
    return rows


def write_csv(path: Path = OUT, rows: list[dict[str, str]] | None = None) -> Path:
    """Write the CSV (UTF-8 with BOM so Excel opens it) atomically."""
    rows = rows or make_rows()
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["id", "受付日", "年代", "地区", "意見"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(buf.getvalue())
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    print(write_csv())
