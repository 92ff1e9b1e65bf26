"""The computations behind every page: plain PyTorch, no Streamlit, plain data out."""
