"""Strings of the export buttons every page has (a notebook and a script of the page's exact view)."""
STRINGS = {
    "export.notebook": {"en": "⬇️ Download as notebook (.ipynb)", "ko": "⬇️ 노트북으로 내려받기 (.ipynb)"},
    "export.notebook_help": {
        "en": "This view as a Jupyter or Colab notebook: the same settings, the core code that ran, and the numbers it "
              "prints. It runs with requirements.txt installed; trainings are cut to a short stated budget.",
        "ko": "지금 보이는 화면을 주피터나 코랩 노트북으로 받습니다. 같은 설정, 실제로 실행된 핵심 코드, 그 코드가 출력하는 "
              "값이 들어 있습니다. requirements.txt만 설치하면 실행되며, 학습은 짧게 정해진 횟수로 줄여 둡니다."},
    "export.script": {"en": "⬇️ Download as script (.py)", "ko": "⬇️ 스크립트로 내려받기 (.py)"},
    "export.script_help": {
        "en": "The same cells as a Python script with # %% cell markers (VS Code, Spyder and PyCharm run it cell by cell).",
        "ko": "같은 셀을 # %% 셀 표시가 있는 파이썬 스크립트로 받습니다. VS Code, Spyder, PyCharm에서 셀 단위로 실행됩니다."},
    "export.error": {"en": "This view cannot be exported: {message}", "ko": "이 화면은 내보낼 수 없습니다: {message}"},
}
