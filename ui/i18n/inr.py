"""Strings of the neural image (inr) page."""
STRINGS = {
    "inr.title": {"en": "Neural image (INR)", "ko": "신경망 이미지 표현 (INR)"},
}
