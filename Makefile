# Two commands on a fresh machine: `make demo` and `make test` (each creates .venv first if missing).
PY := .venv/bin/python
STAMP := .venv/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
SYSTEM_PACKAGES := espeak-ng libespeak-ng1

.PHONY: demo test lint train train-stream bench system-packages package

$(STAMP): pyproject.toml
	$(MAKE) system-packages
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -e ".[blender,dev]"
	rm -f .venv/.installed-*
	touch $@

# espeak-ng speaks every language but English for phonemizer; installed when missing and we may.
system-packages:
	@command -v espeak-ng >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	  else echo "Install espeak-ng (e.g. sudo apt-get install $(SYSTEM_PACKAGES))"; exit 1; fi; }

demo: $(STAMP)
	$(PY) scripts/build_demo_character.py out/demo_character.blend
	.venv/bin/lipsync generate --blend out/demo_character.blend --object DemoHead \
	  --audio demo/dialogue.wav --transcript-file demo/dialogue.txt --save out/demo.blend
	$(PY) scripts/plot_curves.py out/demo.blend DemoHead demo/dialogue.wav out/demo.png
	@echo "Wrote out/demo.blend and out/demo.png"

# The installable extension zips with their wheels in dist/, one per Python (3.11: Blender 4.2 to 5.0; 3.13: 5.1 on);
# make package PLATFORM=all: linux-x64, windows-x64, macos-arm64 and macos-x64. Prints every zip's size.
package: $(STAMP)
	$(PY) scripts/build_extension.py --platform $(or $(PLATFORM),linux-x64)

lint: $(STAMP)
	.venv/bin/ruff check .

# The oldest supported Blender (the manifest's minimum), for the tests that touch Blender.
LTS := .venv-lts/bin/python
LTS_BPY := bpy==4.2.23
LTS_STAMP := .venv-lts/.installed-$(shell echo $(LTS_BPY) | cat - pyproject.toml | sha1sum | cut -c1-12)
BLENDER_TESTS := tests/test_blender.py tests/test_blender_presets.py tests/test_blender_sources.py \
  tests/test_batch.py tests/test_end_to_end.py tests/test_manifest.py tests/test_preset_cli.py \
  tests/test_blender_layering.py tests/test_blender_rebake.py tests/test_pipelines.py tests/test_jobs.py \
  tests/test_blender_poses.py
PACKAGE_TESTS := tests/test_package.py

$(LTS_STAMP): pyproject.toml
	$(MAKE) system-packages
	test -x $(LTS) || python3 -m venv .venv-lts
	$(LTS) -m pip install -q --disable-pip-version-check -e ".[dev]" $(LTS_BPY)
	rm -f .venv-lts/.installed-*
	touch $@

# The newest Blender (Python 3.13), without torch: the lean runtime is all the Blender tests get there.
NEW := .venv-313/bin/python
NEW_PYTHON := $(or $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null),$(lastword $(wildcard \
  $(HOME)/.pyenv/versions/3.13.*/bin/python3.13)),python3.13)
NEW_BPY := bpy==5.3.0
NEW_STAMP := .venv-313/.installed-$(shell echo $(NEW_BPY) | cat - pyproject.toml | sha1sum | cut -c1-12)

$(NEW_STAMP): pyproject.toml
	$(MAKE) system-packages
	test -x $(NEW) || $(NEW_PYTHON) -m venv .venv-313
	$(NEW) -m pip install -q --disable-pip-version-check -e ".[test]" $(NEW_BPY)
	rm -f .venv-313/.installed-*
	touch $@

# Everything but the zip install on bpy 5.0, then the Blender tests and the zip install on the oldest (4.2 LTS) and
# the newest Blender (Python 3.13). The package tests install the built zips: building them (and downloading their
# wheels once) is part of installing, like pip.
test: lint package $(LTS_STAMP) $(NEW_STAMP)
	.venv/bin/pytest -q --ignore=$(PACKAGE_TESTS)
	.venv-lts/bin/pytest -q $(BLENDER_TESTS) $(PACKAGE_TESTS)
	.venv-313/bin/pytest -q $(BLENDER_TESTS) $(PACKAGE_TESTS)

# Retrain the shipped timing network (training/config.toml; about an hour on 2 CPU cores, uses CUDA if present).
train: $(STAMP)
	command -v flite >/dev/null || apt-get install -y -qq flite
	$(PY) -m pip install -q --disable-pip-version-check -e ".[train]"
	$(PY) -m lipsync_ai.training.generate --config training/config.toml
	$(PY) -m lipsync_ai.training.train --config training/config.toml

# Retrain the streaming (causal) network (training/config_stream.toml, its own data folder; about an hour).
train-stream: $(STAMP)
	command -v flite >/dev/null || apt-get install -y -qq flite
	$(PY) -m pip install -q --disable-pip-version-check -e ".[train]"
	$(PY) -m lipsync_ai.training.generate --config training/config_stream.toml
	$(PY) -m lipsync_ai.training.train --config training/config_stream.toml \
		--out inference/weights/timing_net_stream.safetensors

bench: $(STAMP)
	$(PY) bench/accuracy.py
	$(PY) bench/speed.py
	$(PY) bench/batch.py
	$(PY) bench/realtime.py
