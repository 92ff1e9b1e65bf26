"""The translation catalogue: every key in both languages, same placeholders, every used key defined."""
import pathlib
import re
import string

import pytest

from ui.i18n import CATALOGUE, LANGUAGES, translate

ROOT = pathlib.Path(__file__).resolve().parents[1]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_every_language_with_the_same_placeholders(key):
    entry = CATALOGUE[key]
    assert set(entry) == set(LANGUAGES), f"{key} has languages {sorted(entry)}"
    assert all(entry[lang].strip() for lang in LANGUAGES), f"{key} has an empty text"
    assert placeholders(entry["en"]) == placeholders(entry["ko"]), key


def test_every_key_used_in_code_is_defined():
    used = set()
    for path in [*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "streamlit_app.py"]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z0-9_]+)["']""", path.read_text()))
        used |= set(re.findall(r"""["']((?:common|home)\.[a-z0-9_]+)["']""", path.read_text()))
    missing = sorted(key for key in used if key not in CATALOGUE)
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_korean_is_really_korean():
    hangul = sum(any("\uac00" <= ch <= "\ud7a3" for ch in entry["ko"]) for entry in CATALOGUE.values())
    assert hangul / len(CATALOGUE) > 0.8


def test_translate_fills_placeholders():
    assert "3" in translate("common.train_progress", "ko", step=3, total=10)
