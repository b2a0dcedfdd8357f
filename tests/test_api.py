"""The Python API: the example of docs/api.md runs as written (without Blender), and the API imports no bpy."""

import re
import subprocess
import sys

import pytest

from conftest import DEMO_AUDIO, ROOT

NO_BPY = "import sys\nsys.modules['bpy'] = None\n"


def test_the_documented_example_runs_without_blender():
    doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, re.DOTALL)
    assert len(blocks) == 1
    done = subprocess.run([sys.executable, "-c", NO_BPY + blocks[0]], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("7.72 s, ") and lines[0].endswith("24 words, from the transcript given")
    assert lines[1].split()[0] == "Hello" and "7.72\tX" in lines[3] and "jawOpen" in lines[3]


def test_importing_the_package_loads_nothing_heavy_until_the_api_is_used():
    code = NO_BPY + "import lipsync_ai\nassert 'numpy' not in sys.modules\nprint(lipsync_ai.align.__module__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "lipsync_ai.api", done.stderr


def test_bad_input_is_a_lipsync_error_with_one_line(tmp_path):
    import lipsync_ai

    with pytest.raises(lipsync_ai.LipsyncError, match="Unknown language 'xx'"):
        lipsync_ai.align(DEMO_AUDIO, "hello", language="xx")
    with pytest.raises(lipsync_ai.LipsyncError, match="not found"):
        lipsync_ai.align(tmp_path / "gone.wav", "hello")


def test_result_exports_need_a_preset_for_keys():
    import lipsync_ai

    result = lipsync_ai.align(DEMO_AUDIO)
    assert result.words_from == "dialogue.txt beside the audio" and len(result.words) == 24
    assert result.export("moho", mouth_names="rhubarb").splitlines()[1] == "1 X"
    with pytest.raises(lipsync_ai.LipsyncError, match="preset='arkit'"):
        result.export("arkit-json")
