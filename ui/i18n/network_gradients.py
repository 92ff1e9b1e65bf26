"""Strings of the network gradients & double backprop page."""
STRINGS = {
    "network_gradients.title": {"en": "Network gradients & double backprop", "ko": "신경망 기울기와 이중 역전파"},
}
