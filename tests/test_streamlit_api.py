"""Streamlit's current API only: deprecated arguments print a warning on every run of the page."""

import re

import pytest

from tests.conftest import ROOT

FILES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"])
DEPRECATED = re.compile(r"\buse_container_width\s*=")  # Streamlit ≥ 1.45: width="stretch" / "content"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_passes_a_deprecated_streamlit_argument(path):
    lines = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if DEPRECATED.search(line)]
    assert not lines, f"lines {lines}: use width=\"stretch\" (or \"content\") instead of use_container_width"
