"""Strings of the higher-order derivatives page."""
STRINGS = {
    "derivatives.title": {"en": "Higher-order derivatives", "ko": "고계 도함수"},
}
