"""Persian and Hebrew constructions of news, each with sentences written for these tests."""

from __future__ import annotations

import pytest

from streams.tagging import Tagger

from .conftest import article, triples

CASES = [
    # Persian possessive (ezafe) agent: the attack *of* the Israeli army *on* IRGC positions
    ("حمله ارتش اسرائیل به مواضع سپاه در سوریه", "fa", [("ISR", "IRN", "19", "ASSERTED")]),
    # ... with an adjective between the act noun and its possessor
    ("حمله تجاوزکارانه رژیم صهیونیستی به ایران", "fa", [("ISR", "IRN", "18", "ASSERTED")]),
    # ... and what it hit is no actor: Israel's act on Gaza, not Iran's on Israel (the condemner)
    ("ایران حمله هوایی اسرائیل به غزه را محکوم کرد", "fa", [("IRN", "ISR", "111", "ASSERTED")]),
    # no preposition after the possessor: it may be the object ("the sanctions on Iran")
    ("سخنگوی دولت آلبانی تحریم ایران را اعلام کرد", "fa", [("ALB", "IRN", "163", "ASSERTED")]),
    # a denunciation without a verb: the condemnation noun, aimed at the act's possessor
    ("وزارت خارجه ایران در بیانیه ای با محکومیت شدید تجاوز رژیم صهیونیستی به لبنان", "fa",
     [("IRN", "ISR", "111", "ASSERTED")]),
    ("ایران با نکوهش اقدام دولت آلبانی در اخراج دیپلمات های ایرانی واکنش نشان داد", "fa",
     [("IRN", "ALB", "111", "ASSERTED"), ("ALB", "IRN", "161", "ASSERTED")]),
    # attributed to: "this attack was attributed to a group named Homeland Justice"
    ("رسانه های آلبانی این حمله را به گروهی به نام عدالت وطن نسبت دادند", "fa", [("IRN", "ALB", "18", "ATTRIBUTED")]),
    # the perfect of a compound verb is a verb (SOV): "Israel has shot down two Iranian drones"
    ("اسرائیل دو پهپاد ایرانی را سرنگون کرده است", "fa", [("ISR", "IRN", "195", "ASSERTED")]),
    # a threat made, in the perfect; "a threat to" as a description is none
    ("ایران اسرائیل را تهدید کرده است", "fa", [("IRN", "ISR", "13", "ASSERTED")]),
    ("ایران تهدیدی برای اسرائیل خواهد بود", "fa", []),
    # building drones is no strike
    ("پیشرفت سپاه در ساخت پهپاد نگرانی اسرائیل را برانگیخت", "fa", []),
    # anti-Iranian groups are not Iran
    ("سرویس امنیتی اسرائیل با همکاری گروه های ضد ایرانی", "fa", []),
    # a dateline's city is no actor
    ("تهران-ایرنا- رادیو اسرائیل از شلیک موشک به غزه خبر داد", "fa", []),
    ("TEHRAN (Reuters) - Israeli jets struck targets overnight", "en", []),
    # Hebrew: a visitor "המבקר בישראל", a host, standing "by the side of" someone
    ("ראש ממשלת אלבניה אדי ראמה, המבקר השבוע בישראל, נפגש עם הרב הראשי", "he",
     [("ALB", "ISR", "04", "ASSERTED"), ("ISR", "ALB", "04", "ASSERTED")]),
    ("אירח שר החוץ גדעון סער את אליסה ספירופאלי בירושלים", "he",
     [("ISR", "ALB", "04", "ASSERTED"), ("ALB", "ISR", "04", "ASSERTED")]),
    ("מדינת אלבניה מתייצבת בגלוי לצד ישראל", "he", [("ALB", "ISR", "051", "ASSERTED")]),
    # the present and the infinitive of "attack"; launches named before the strikes
    ("לצד טילים שמשוגרים מאיראן לישראל, צה\"ל ממשיך לתקוף מטרות בטהרן", "he",
     [("IRN", "ISR", "195", "ASSERTED"), ("ISR", "IRN", "195", "ASSERTED")]),
    # rejections and accusations told from the rejected side: the speaker named before acts
    ("שר ההגנה האיראני אמר כי טענות ראש הממשלה של המשטר הציוני חסרות שחר", "he", [("IRN", "ISR", "12", "ASSERTED")]),
    ("דובר משרד החוץ בטהרן הגיב: ההצהרות של נתניהו מהוות הסתה", "he", [("IRN", "ISR", "112", "ASSERTED")]),
    # a quote's statements are its speaker's: the name before the colon, or before "wrote:"
    ("عراقچی در پیامی در شبکه ایکس نوشت: جنایات رژیم اسرائیل در غزه ادامه دارد", "fa", [("IRN", "ISR", "111", "ASSERTED")]),
    ("עראקצ'י: הפשעים של ישראל מהוות הסתה", "he", [("IRN", "ISR", "112", "ASSERTED")]),
    # ... not the addressee of a message
    ("כ\"ץ שלח מסר לדיקטטור חמינאי: אם תמשיך לאיים על ישראל, תצטער", "he", []),
    ("כ\"ץ שלח מסר לחמינאי: אם תמשיך לאיים על ישראל, תצטער", "he", []),
    ("חמינאי: אם תמשיך לאיים על ישראל, תצטער", "he", [("IRN", "ISR", "13", "ASSERTED")]),
    # a possessor after של is no subject: the supreme leader *of Iran* does not attack here
    ("שר הביטחון ישראל כ\"ץ דיבר על המנהיג העליון של איראן ואיים בתקיפה", "he", [("ISR", "IRN", "195", "THREATENED")]),
    # Hebrew "attributed to": ל glued to the name after the word of attribution
    ("המתקפה על מערכות הממשלה באלבניה יוחסה לאיראן", "he", [("IRN", "ALB", "18", "ASSERTED")]),
]


@pytest.mark.parametrize(("title", "language", "expected"), CASES)
def test_case(tagger: Tagger, title: str, language: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert triples(tagger.tag(article(title, "", language))) == expected
