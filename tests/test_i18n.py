"""The translation catalogue: every key in both languages, same placeholders, every used key defined."""
import ast
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


NAMESPACES = {key.split(".")[0] for key in CATALOGUE}
CODE = [*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("core/*.py"), ROOT / "streamlit_app.py"]


def key_uses() -> tuple[set[str], list[re.Pattern]]:
    """Every string in the app's code that names a key (a t() call, a widget's label, a message raised from core),
    and a pattern for each key built with an f-string (f"home.{page}_blurb" matches home.maml_blurb)."""
    literals, patterns = set(), []
    for path in CODE:
        tree, parts = ast.parse(path.read_text()), set()  # ids of f-strings' pieces, valid while `tree` lives
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                parts |= {id(value) for value in node.values}
                pattern = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z0-9_]+" for v in node.values)
                if pattern.split(r"\.")[0] in NAMESPACES:
                    patterns.append(re.compile(pattern))
        literals |= {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                     and isinstance(node.value, str) and id(node) not in parts}
    keys = {s for s in literals if re.fullmatch(r"[a-z_]+\.[a-z0-9_]+", s) and s.split(".")[0] in NAMESPACES}
    return keys, patterns


def test_every_key_used_in_code_is_defined():
    keys, _ = key_uses()
    missing = sorted(key for key in keys if key not in CATALOGUE and not key.endswith(".py"))
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_every_key_in_the_catalogue_is_used():
    keys, patterns = key_uses()
    unused = sorted(key for key in CATALOGUE if key not in keys and not any(p.fullmatch(key) for p in patterns))
    assert not unused, f"keys in the catalogue that no code uses: {unused}"


def test_korean_is_really_korean():
    hangul = sum(any("\uac00" <= ch <= "\ud7a3" for ch in entry["ko"]) for entry in CATALOGUE.values())
    assert hangul / len(CATALOGUE) > 0.8


def test_translate_fills_placeholders():
    assert "3" in translate("common.train_progress", "ko", step=3, total=10)


GLOSSARY = {  # one Korean term for each technical term, on every page
    "central difference": "중앙 차분",
    "finite difference": "유한 차분",
    "leaf tensor": "리프 텐서",
    "meta-gradient": "메타 기울기",
}


@pytest.mark.parametrize("english, korean", sorted(GLOSSARY.items()))
def test_a_technical_term_has_one_korean_name_everywhere(english, korean):
    uses = {key: entry for key, entry in CATALOGUE.items() if english in entry["en"].lower()}
    assert uses, f"no text uses “{english}”: drop it from the glossary"
    wrong = sorted(key for key, entry in uses.items() if korean not in entry["ko"])
    assert not wrong, f"these say “{english}” in English but not “{korean}” in Korean: {wrong}"
