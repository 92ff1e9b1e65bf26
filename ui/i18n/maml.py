"""Strings of the maml meta-learning page."""
STRINGS = {
    "maml.title": {"en": "MAML meta-learning", "ko": "MAML 메타러닝"},
}
