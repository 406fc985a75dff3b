"""Path segments as ARM takes them: its letters and digits, not Python's."""

from __future__ import annotations

import pytest

from azpatch import InvalidArgumentError
from azpatch._core._validation import check_resource_group


@pytest.mark.parametrize("name", ["rg", "grupo-ñ", "日本のグループ", "(rg)_1", "Ωmega.1"])
def test_letters_and_digits_of_any_script_are_a_resource_group(name: str) -> None:
    assert check_resource_group(name) == name


@pytest.mark.parametrize("name", ["rg²", "rg½", "e\u0301", "rg.", "a b"])
def test_other_numbers_marks_and_a_final_dot_are_not(name: str) -> None:
    with pytest.raises(InvalidArgumentError, match="resource_group"):
        check_resource_group(name)
