"""Personal data in text, masked for storage, logs and answers: one function, `mask_pii`.

    mask_pii("call (555) 123-4567 or mail jane@example.com") == "call [phone] or mail [email]"

What it finds, each replaced whole (never leaving a fragment such as "123-4567"):
  * emails;
  * phone numbers, by Google's libphonenumber (`phonenumbers`): international (+…) ones,
    and national ones as written in the US, China (13812345678), the UK and Germany;
  * payment card numbers: 13–19 digits that pass the Luhn check;
  * IBANs, spaced or compact, that pass the ISO 13616 mod-97 check;
  * Chinese resident ID numbers (18 characters, ISO 7064 check digit);
  * street addresses: English ("221B Baker Street", "1600 Pennsylvania Ave") and Chinese
    (…省/市/区/县 … 路/街/道 … 号).
Measured on a labelled English + Chinese set: bench/pii.py, BENCHMARKS.md.
"""
from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
CN_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
STREET = (r"Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
          r"Square|Sq|Terrace|Parkway|Pkwy|Highway|Hwy")
EN_ADDRESS = re.compile(rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][\w'.-]*\s+){{0,4}}(?:{STREET})\b\.?"
                        r"|\b[A-ZÄÖÜ][a-zäöüß]+(?:straße|strasse|weg|allee|platz|gasse)\s+\d{1,5}[a-z]?\b")
ZH_ADDRESS = re.compile(r"[\u4e00-\u9fff]{0,12}(?:省|市|区|县|镇)[\u4e00-\u9fff\d]{0,16}?"
                        r"(?:路|街|道|巷|弄|里)[\d一二三四五六七八九十百零]+号(?:[\d]+(?:室|楼|单元))*")
PHONE_REGIONS = ("US", "CN", "GB", "DE")
LONG_DIGITS = re.compile(r"(?<![\w-])\+?\d[\d ().-]{7,}\d\b")  # what the matcher leaves
# every detector needs one of these: an email its @, a Chinese address its 号, all the
# others a digit (Unicode digits too, as their patterns and libphonenumber read them)
ANY_CUE = re.compile(r"[\d@号]")


def mask_pii(text: str) -> str:
    for start, end, label in sorted(_found(text), reverse=True):
        text = text[:start] + f"[{label}]" + text[end:]
    return text


def personal_values(text: str) -> list[str]:
    """The personal values in `text`, as written (what mask_pii hides)."""
    return list(dict.fromkeys(text[start:end] for start, end, _ in sorted(_found(text))))


# words that often run into a Chinese address ("寄到北京市…"): kept, not masked
ZH_LEAD = re.compile(r"^(?:请|帮我|麻烦|我的)?(?:寄到|送到|发到|寄往|送往|发往|住在|地址是|地址|收货地址|我在|我住|在|到)")


def _found(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of every personal value, none overlapping: each detector in turn
    (emails first, the long-digit safety net last) keeps only spans no earlier one took."""
    if not text or not ANY_CUE.search(text):  # most strings of a turn: names, replies
        return []
    import phonenumbers

    spans: list[tuple[int, int, str]] = []

    def take(start: int, end: int, label: str) -> None:
        if end > start and not any(s < end and start < e for s, e, _ in spans):
            spans.append((start, end, label))

    for m in EMAIL.finditer(text):
        take(m.start(), m.end(), "email")
    for pattern, check, label in ((IBAN, _iban_ok, "iban"), (CN_ID, _cn_id_ok, "id"), (CARD, _luhn_ok, "card")):
        for m in pattern.finditer(text):
            if check(m.group()):
                take(m.start(), m.end(), label)
    for m in ZH_ADDRESS.finditer(text):
        lead = ZH_LEAD.match(m.group())
        take(m.start() + (lead.end() if lead else 0), m.end(), "address")
    for m in EN_ADDRESS.finditer(text):
        take(m.start(), m.end(), "address")
    for region in PHONE_REGIONS:
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            take(m.start, m.end, "phone")
    for m in LONG_DIGITS.finditer(text):
        if len(_digits(m.group())) >= 9:
            take(m.start(), m.end(), "phone")
    return spans


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _luhn_ok(value: str) -> bool:
    digits = _digits(value)
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return int(number) % 97 == 1


def _cn_id_ok(value: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(value[:17], weights))
    return "10X98765432"[total % 11] == value[17].upper()
