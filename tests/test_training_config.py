"""Training configs: defaults in code, each shipped model's file overrides only what differs, in its own folder."""

from pathlib import Path

import pytest

from lipsync_ai.training.config import Config, load_config

ROOT = Path(__file__).resolve().parents[1]


def test_each_model_has_its_own_data_folder_and_only_the_offline_one_hears_kokoro():
    offline, stream = load_config(ROOT / "training/config.toml"), load_config(ROOT / "training/config_stream.toml")
    assert offline.data.dir != stream.data.dir
    assert not offline.streaming and stream.streaming and stream.model.lookahead == 2
    assert offline.data.kokoro_share and not stream.data.kokoro_share
    assert offline.model == Config().model, "the offline network is the default architecture"


def test_an_override_file_changes_only_what_it_names(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('seed = 7\n[data]\nsentences = [2, 2]\n[train]\nminutes = 1\n')
    config = load_config(path)
    assert (config.seed, config.data.sentences, config.train.minutes) == (7, (2, 2), 1)
    assert config.data.languages == Config().data.languages and config.train.lr == Config().train.lr


def test_an_unknown_setting_is_named(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[train]\nminuts = 1\n")
    with pytest.raises(ValueError, match="unknown setting.*minuts"):
        load_config(path)
