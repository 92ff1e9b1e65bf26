"""Strings of the hessian-vector products page."""
STRINGS = {
    "hessian.title": {"en": "Hessian-vector products", "ko": "헤시안-벡터 곱"},
}
