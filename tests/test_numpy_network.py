"""The numpy runtime network against the torch module it was trained as, and the CUDA path's messages."""

import sys

import numpy as np
import pytest

from conftest import DEMO_AUDIO
from lipsync_ai.core.audio import load_audio
from lipsync_ai.core.errors import LipsyncError
from lipsync_ai.inference.features import FeatureConfig, log_mel
from lipsync_ai.inference.model import WEIGHTS, ModelConfig, Weights, build_network, load, log_posteriors
from lipsync_ai.inference.network_timer import NetworkTimer, cuda_usable
from lipsync_ai.inference.streaming import STREAM_WEIGHTS

WEIGHT_FILES = [WEIGHTS, STREAM_WEIGHTS]


def torch_logits(net, mel: np.ndarray) -> np.ndarray:
    import torch

    with torch.no_grad():
        return net(torch.from_numpy(mel)[None])[0].numpy()


@pytest.mark.parametrize("path", WEIGHT_FILES, ids=lambda p: p.stem)
def test_shipped_weights_give_torchs_logits_on_random_input(path):
    pytest.importorskip("torch")
    from lipsync_ai.inference.torch_model import load as load_torch

    mel = np.random.default_rng(1).standard_normal((700, 64)).astype(np.float32)
    net, _ = load(path)
    np.testing.assert_allclose(net.logits(mel), torch_logits(load_torch(path)[0], mel), atol=1e-5)


@pytest.mark.parametrize("lookahead", [None, 3])
def test_batch_norm_folding_matches_torch_for_any_statistics(lookahead):
    torch = pytest.importorskip("torch")
    from lipsync_ai.inference.torch_model import TimingNet

    torch.manual_seed(0)
    module = TimingNet(ModelConfig(lookahead=lookahead, dilations=(1, 3, 2)))
    for norm in module.modules():
        if isinstance(norm, torch.nn.BatchNorm1d):
            norm.running_mean.uniform_(-0.5, 0.5)
            norm.running_var.uniform_(0.3, 2.0)
            norm.weight.data.uniform_(0.5, 1.5)
            norm.bias.data.uniform_(-0.3, 0.3)
    module.eval()
    state = {k: v.numpy() for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    net = build_network(Weights(module.config, FeatureConfig(), state, {}))
    mel = np.random.default_rng(2).standard_normal((150, 64)).astype(np.float32)
    np.testing.assert_allclose(net.logits(mel), torch_logits(module, mel), atol=1e-5)


def test_real_audio_log_posteriors_equal_torchs():
    torch = pytest.importorskip("torch")
    from lipsync_ai.inference.torch_model import load as load_torch

    net, features = load()
    mel = log_mel(load_audio(DEMO_AUDIO).samples, features)
    ours = log_posteriors(net.logits, mel, net.reach)
    reference = torch.log_softmax(torch.from_numpy(torch_logits(load_torch()[0], mel)), dim=-1).numpy()
    np.testing.assert_allclose(ours, reference, atol=1e-5)


@pytest.mark.parametrize("path", WEIGHT_FILES, ids=lambda p: p.stem)
def test_pieces_give_the_whole_clips_posteriors(path):
    net, _ = load(path)
    mel = np.random.default_rng(3).standard_normal((1000, 64)).astype(np.float32)
    whole = log_posteriors(net.logits, mel, net.reach, chunk=len(mel))
    np.testing.assert_allclose(log_posteriors(net.logits, mel, net.reach, chunk=170), whole, atol=1e-5)
    assert np.allclose(np.exp(whole).sum(axis=1), 1.0, atol=1e-5)


def test_cuda_without_a_cuda_torch_is_one_clear_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as in Blender, where the extension ships no torch
    monkeypatch.delitem(sys.modules, "lipsync_ai.inference.torch_model", raising=False)
    with pytest.raises(LipsyncError, match="CUDA build of torch") as missing:
        NetworkTimer("cuda")
    assert "\n" not in str(missing.value)
    assert not cuda_usable()


def test_cuda_on_a_cpu_only_torch_is_one_clear_line():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert not cuda_usable()
    with pytest.raises(LipsyncError, match="CUDA build of torch"):
        NetworkTimer("cuda")
