"""The documentation lists exactly the deselected anchor-suite cases."""

from pathlib import Path

from anchor_cases import NOT_YET, PRIVATE

DOC = Path(__file__).resolve().parents[2] / "docs" / "anchor_suites.rst"


def test_docs_table_lists_the_private_cases_with_their_reasons():
    text = DOC.read_text(encoding="utf-8")
    rows = [line.strip()[len("* - ``"):-2] for line in text.splitlines()
            if line.strip().startswith("* - ``")]
    assert rows == list(PRIVATE)
    for reason in PRIVATE.values():
        assert reason in text


def test_no_case_is_both_deselected_and_expected_to_fail():
    assert not set(PRIVATE) & set(NOT_YET)
