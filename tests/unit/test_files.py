"""User input files: one-line errors naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.errors import InputError
from streams.files import open_input


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing.jsonl: no such file$"):
        open_input(tmp_path / "missing.jsonl")


def test_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r": is a folder, not a file$"):
        open_input(tmp_path)


def test_text_and_binary(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Shqipëria\n".encode())
    with open_input(path) as text:
        assert text.read() == "Shqipëria\n"
    with open_input(path, binary=True) as raw:
        assert raw.read() == "Shqipëria\n".encode()
