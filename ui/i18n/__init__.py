"""The translation catalogue: one module per page, each a STRINGS dict {key: {"en": ..., "ko": ...}}."""
from __future__ import annotations

import importlib
import pkgutil

LANGUAGES = {"en": "English", "ko": "한국어"}


def _load() -> dict[str, dict[str, str]]:
    catalogue: dict[str, dict[str, str]] = {}
    for module in pkgutil.iter_modules(__path__):
        strings = importlib.import_module(f"{__name__}.{module.name}").STRINGS
        duplicated = catalogue.keys() & strings.keys()
        if duplicated:
            raise KeyError(f"keys defined twice in the catalogue: {sorted(duplicated)}")
        catalogue.update(strings)
    return catalogue


CATALOGUE = _load()


def translate(key: str, lang: str = "en", **values) -> str:
    """The text for `key` in `lang`, with {placeholders} filled from `values`."""
    entry = CATALOGUE[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
