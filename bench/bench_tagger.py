"""Tagger throughput on a generated news corpus (pure ``Tagger.tag``, one core).

The corpus is deterministic (fixed seed): 10,000+ articles of 1–3 KB in English, Albanian,
Persian and Hebrew. About 90% are world news that matters to nobody watching the
Albania–Iran–Israel triangle but is written with the same words: governments, ministers,
attacks, sanctions, the odd single mention of one watched country. About 10% name two watched
states in real wire phrasing. Results:

* ``tagger_articles_per_s`` (CPU time of this process: other work on a shared machine does not
  count) with a baseline measured in the same run: one compiled regular
  expression of every watched alias scanned over the same texts (the cheapest thing that
  could possibly decide relevance). ``ratio`` = tagger / baseline, higher is better.
* ``tagger_us_per_relevant`` / ``tagger_us_per_irrelevant``: mean microseconds per article.
* ``tagger_length_scaling_4x`` / ``_16x``: time for bodies 4× and 16× as long as the 1×
  corpus, divided by the 1× time; linear growth gives ratio ≈ 1 against the baseline 4 or 16.
"""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SEED = 20240414
ARTICLES = 10_000
RELEVANT_SHARE = 0.10
WHEN = datetime(2024, 4, 14, 6, 0, tzinfo=UTC)

# ---------------------------------------------------------------- corpus material
FILLER = {
    "en": [
        "The government said on Tuesday it would review the budget after weeks of protests in the capital.",
        "The interior ministry said police arrested dozens of people during the demonstration.",
        "Officials from the national statistics authority reported that inflation slowed to 3.1 percent in March.",
        "The president of the republic met business leaders to discuss energy prices and new investment.",
        "Analysts warned that the central bank could raise interest rates again if wages keep rising.",
        "Rebels attacked an army convoy near the border, killing four soldiers, the military said.",
        "The foreign minister urged both sides to return to talks and called for calm.",
        "Heavy rain flooded several villages and the authority for civil protection sent rescue teams.",
        "Parliament approved the reform late on Wednesday by a narrow majority after a heated debate.",
        "The opposition accused the prime minister of corruption and demanded early elections.",
        "Shares in European banks fell sharply after the earnings reports disappointed investors.",
        "A court sentenced the former mayor to five years in prison for abuse of office.",
        "The health ministry confirmed 120 new cases and urged residents to get vaccinated.",
        "Tourism numbers rose by a fifth this summer, the national tourism authority said in a statement.",
        "Our correspondent reports that the negotiations may resume in May if both delegations agree.",
        "The army said its air defences shot down two drones over the eastern region overnight.",
        "Hackers leaked data from a hospital network, and the cyber security agency is investigating.",
        "The United Nations called on all parties to allow humanitarian aid into the affected areas.",
        "The European Union imposed sanctions on three companies accused of helping evade export controls.",
        "Talks between the two governments on a new trade agreement ended without a deal.",
    ],
    "sq": [
        "Qeveria njoftoi të martën se do të rishikojë buxhetin pas javësh protestash në kryeqytet.",
        "Policia arrestoi disa persona gjatë protestës së opozitës para kryeministrisë.",
        "Ministri i Financave tha se inflacioni ra në 3.1 për qind në muajin mars.",
        "Kuvendi miratoi reformën në drejtësi me një shumicë të ngushtë pas një debati të ashpër.",
        "Opozita akuzoi kryeministrin për korrupsion dhe kërkoi zgjedhje të parakohshme.",
        "Reshjet e dendura përmbytën disa fshatra dhe shërbimi i emergjencave dërgoi ekipe shpëtimi.",
        "Turizmi u rrit me një të pestën këtë verë, sipas autoritetit kombëtar të turizmit.",
        "Gjykata dënoi ish-kryetarin e bashkisë me pesë vjet burg për shpërdorim detyre.",
    ],
    "fa": [
        # Persian news joins word parts with a zero-width non-joiner (U+200C), as here.
        "دولت روز سه\u200cشنبه اعلام کرد که بودجه را پس از هفته\u200cها اعتراض بازبینی می\u200cکند.",
        "وزیر امور خارجه از دو طرف خواست به مذاکرات بازگردند و آرامش را حفظ کنند.",
        "بانک مرکزی گفت نرخ تورم در ماه گذشته کاهش یافته است.",
        "مجلس پس از بحثی طولانی طرح اصلاح قانون مالیات را تصویب کرد.",
        "باران شدید چند روستا را زیر آب برد و نیروهای امدادی به منطقه\u200cهای سیل\u200cزده اعزام شدند.",
        "دادگاه شهردار سابق را به پنج سال زندان محکوم کرد.",
        "قیمت ارز در بازار تهران امروز دوباره افزایش یافت.",
    ],
    "he": [
        "הממשלה הודיעה ביום שלישי כי תבחן מחדש את התקציב לאחר שבועות של מחאות.",
        "שר האוצר אמר כי האינפלציה ירדה ל-3.1 אחוזים בחודש מרץ.",
        "הכנסת אישרה את הרפורמה ברוב דחוק לאחר דיון סוער.",
        "המשטרה עצרה עשרות מפגינים במהלך ההפגנה בתל אביב.",
        "גשמים כבדים הציפו כמה כפרים וצוותי חילוץ נשלחו למקום.",
        "בית המשפט גזר על ראש העיר לשעבר חמש שנות מאסר.",
        "מחירי הדיור המשיכו לעלות ברבעון האחרון, כך לפי הלשכה המרכזית לסטטיסטיקה.",
    ],
}
# One watched country (or an outsider) in otherwise irrelevant news: the prefilter must not
# take a single name as relevance. Each article draws its mentions from one group only.
SINGLE = {
    "en": [["Iran's rial fell to a record low against the dollar in Tehran.", "Iranian lawmakers debated fuel prices."],
           ["Albania's tourism minister opened a new beach resort near Vlora.",
            "The Albanian parliament debated a new law on property."],
           ["Israel's central bank kept its key rate unchanged.", "Israeli startups raised record funding this year."],
           ["Russia and China held joint naval drills in the Pacific.", "The United States announced new tariffs."]],
    "sq": [["Shqipëria priti një numër rekord turistësh këtë verë.", "Policia e Shtetit njoftoi masa të reja."],
           ["Irani njoftoi rritjen e çmimeve të karburantit."]],
    "fa": [["ایران امروز از افزایش صادرات نفت خبر داد.", "نرخ ارز در تهران دوباره بالا رفت."],
           ["اسرائیل دوباره درگیر بحران سیاسی شد."]],
    "he": [["ישראל השיקה היום לוויין תקשורת חדש.", "בנק ישראל הותיר את הריבית ללא שינוי."],
           ["איראן הודיעה על העלאת מחירי הדלק."]],
}
RELEVANT = {
    "en": [("Albania expels Iranian diplomats over cyberattack",
            "Prime Minister Edi Rama said an investigation found that Iran orchestrated the July attack on "
            "Albania's digital infrastructure and ordered Iranian diplomats to leave within 24 hours."),
           ("Israel strikes military targets in Iran",
            "Israeli jets struck air defence sites near Isfahan overnight, officials said, days after Iran fired "
            "ballistic missiles at Israel."),
           ("Iran denies involvement in cyberattack on Albania",
            "Tehran's foreign ministry rejected the accusation as baseless and denied any role in the attack on "
            "Albanian government servers."),
           ("Albania and Israel sign cybersecurity cooperation agreement",
            "The two countries agreed to share threat intelligence after a series of attacks blamed on Iran.")],
    "sq": [("Shqipëria dënon sulmin e Iranit ndaj Izraelit",
            "Ministria e Jashtme shprehu solidaritet me Izraelin pas sulmit me dronë dhe raketa.")],
    "fa": [("ایران اتهامات آلبانی را رد کرد",
            "وزارت امور خارجه ایران ادعای دولت آلبانی درباره حمله سایبری را بی اساس خواند.")],
    "he": [("ישראל תקפה מטרות צבאיות באיראן",
            "צה\"ל תקף הלילה מטרות באיראן בתגובה למתקפת הטילים של איראן על ישראל.")],
}
LANG_WEIGHTS = [("en", 0.55), ("sq", 0.15), ("fa", 0.15), ("he", 0.15)]


def _pick_lang(rng: random.Random) -> str:
    x = rng.random()
    for lang, w in LANG_WEIGHTS:
        if x < w:
            return lang
        x -= w
    return "en"


def _body(rng: random.Random, lang: str, size: int, lead: str = "") -> str:
    parts = [lead] if lead else []
    length = len(lead)
    single = rng.choice(SINGLE[lang]) if rng.random() < 0.5 else []
    while length < size:
        s = rng.choice(single) if single and rng.random() < 0.08 else rng.choice(FILLER[lang])
        parts.append(s)
        length += len(s) + 1
    return " ".join(parts)


def corpus(n: int = ARTICLES, seed: int = SEED, scale: int = 1) -> list[dict[str, Any]]:
    """``n`` NewsArticle records, the same for the same arguments; bodies ``scale`` × 1–3 KB."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        lang = _pick_lang(rng)
        size = rng.randint(1000, 3000) * scale
        if rng.random() < RELEVANT_SHARE:
            title, lead = rng.choice(RELEVANT[lang])
            relevant = True
        else:
            title, lead = rng.choice(FILLER[lang])[:60], ""
            relevant = False
        out.append({"id": f"b{k}", "source": "bench", "url": None, "title": title, "body": _body(rng, lang, size, lead),
                    "language": lang, "published_at": WHEN, "ingested_at": None, "relevant": relevant})
    return out


# ---------------------------------------------------------------- measuring
def _baseline_regex(tagger: Any) -> re.Pattern[str]:
    """One alternation of every word of every watched-actor name: the bare single-regex scan
    (run over lower-cased text; it finds names, it does not decide anything)."""
    words = {w for words, _, _ in tagger.gazetteer.prefilter._forms for w in words}
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")


def _time(fn: Any, items: list[Any], repeat: int = 5) -> float:
    """Best of ``repeat`` CPU times for ``fn`` over ``items`` (seconds): the least disturbed
    pass, as timeit reports, since other work on a shared machine only ever adds time."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for item in items:
            fn(item)
        best = min(best, time.process_time() - start)
    return best


def run(bench_dir: Path) -> list[dict[str, Any]]:
    """Measure the tagger on the generated corpus (see module docstring)."""
    from streams.settings import load_settings
    from streams.tagging import Tagger

    tagger = Tagger.from_settings(load_settings())
    docs = corpus()
    rel = [d for d in docs if d["relevant"]]
    irr = [d for d in docs if not d["relevant"]]
    tagger.tag(docs[0])  # warm caches
    total = _time(tagger.tag, docs)
    t_rel = _time(tagger.tag, rel)
    t_irr = _time(tagger.tag, irr)
    pattern = _baseline_regex(tagger)

    def scan(d: dict[str, Any]) -> int:
        return len({m.group() for m in pattern.finditer((d["title"] + "\n" + d["body"]).lower())})

    base = _time(scan, docs)
    rate, base_rate = len(docs) / total, len(docs) / base
    events = sum(len(tagger.tag(d)) for d in rel)
    results = [
        {"name": "tagger_articles_per_s", "value": round(rate), "unit": "articles/s", "baseline": round(base_rate),
         "ratio": round(rate / base_rate, 2), "articles": len(docs), "relevant": len(rel), "events": events,
         "mean_chars": round(sum(len(d["body"]) for d in docs) / len(docs)), "target": 20000},
        {"name": "tagger_us_per_relevant", "value": round(t_rel / len(rel) * 1e6, 1), "unit": "us",
         "baseline": round(base / len(docs) * 1e6, 1), "ratio": round(t_rel / len(rel) / (base / len(docs)), 2)},
        {"name": "tagger_us_per_irrelevant", "value": round(t_irr / len(irr) * 1e6, 1), "unit": "us",
         "baseline": round(base / len(docs) * 1e6, 1), "ratio": round(t_irr / len(irr) / (base / len(docs)), 2)},
    ]
    small = corpus(n=1000, seed=SEED + 1)
    one = _time(tagger.tag, small)
    for scale in (4, 16):
        big = corpus(n=1000, seed=SEED + 1, scale=scale)
        t = _time(tagger.tag, big, repeat=1 if scale == 16 else 2)
        results.append({"name": f"tagger_length_scaling_{scale}x", "value": round(t / one, 2), "unit": "x time",
                        "baseline": scale, "ratio": round(t / one / scale, 2)})
    return results


if __name__ == "__main__":
    import json

    for r in run(Path(__file__).resolve().parent):
        print(json.dumps(r))
