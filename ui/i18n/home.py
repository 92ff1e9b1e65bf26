"""Strings of the home page."""
STRINGS = {
    "home.title": {"en": "Home", "ko": "홈"},
}
