"""Optional packages (torch for CUDA, vosk): the folder given to Blender's Python is checked in one line first."""

import sys

import pytest

from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.inference.extra_packages import use_packages

TAG = f"cpython-{sys.version_info.major}{sys.version_info.minor}-x86_64-linux-gnu"


def fake_torch(folder, tag=TAG):
    (folder / "torch").mkdir(parents=True)
    (folder / "torch" / "__init__.py").write_text("")
    (folder / "torch" / f"_C.{tag}.so").write_bytes(b"")
    return folder


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: tmp / "missing", "not found"),
    (lambda tmp: tmp, "holds neither torch nor vosk"),
    (lambda tmp: fake_torch(tmp, "cpython-39-x86_64-linux-gnu"), "built for another Python"),
])
def test_a_folder_that_is_no_torch_for_this_python_is_one_clear_line(tmp_path, make, message):
    with pytest.raises(LipsyncError, match=message) as caught:
        use_packages(make(tmp_path))
    assert "\n" not in str(caught.value)


def test_a_packages_folder_goes_on_the_path_once(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    folder = fake_torch(tmp_path)
    use_packages(folder)
    use_packages(folder)
    assert sys.path.count(str(folder)) == 1
