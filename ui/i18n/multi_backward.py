"""Strings of the multiple backwards page."""
STRINGS = {
    "multi_backward.title": {"en": "Multiple backwards", "ko": "여러 번의 역전파"},
}
