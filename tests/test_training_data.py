"""The training loop's view of the generated shards: per-clip normalisation for the offline network, running
normalisation from each crop's start (with a typical clip's statistics as the prior) for the streaming one."""

import numpy as np

from lipsync_ai.inference.features import RunningNorm
from lipsync_ai.training.train import batch, feature_prior, load_train


def write_shard(folder, rng):
    quiet = rng.normal(-12.0, 1.0, (300, 4))
    loud = rng.normal(-2.0, 1.0, (500, 4))  # same spread, 10 log units louder
    np.savez(folder / "train_0.npz", feats=np.concatenate([quiet, loud]).astype(np.float16),
             labels=np.zeros(800, np.int8), lengths=np.array([300, 500]))


def test_offline_corpus_is_normalised_per_clip_and_streaming_corpus_stays_raw(tmp_path):
    write_shard(tmp_path, np.random.default_rng(0))
    per_clip = load_train(tmp_path, per_clip=True)
    for begin, n in zip(per_clip.offsets, per_clip.lengths, strict=True):
        clip = per_clip.feats[begin: begin + n].float().numpy()
        np.testing.assert_allclose(clip.mean(axis=0), 0.0, atol=0.02)
        np.testing.assert_allclose(clip.std(axis=0), 1.0, atol=0.02)
    raw = load_train(tmp_path, per_clip=False)
    assert abs(float(raw.feats[:300].float().mean()) + 12.0) < 0.2


def test_the_prior_is_a_typical_clip_not_the_pool_of_all_levels(tmp_path):
    write_shard(tmp_path, np.random.default_rng(1))
    prior = feature_prior(load_train(tmp_path, per_clip=False))
    np.testing.assert_allclose(prior["feature_mean"], -7.0, atol=0.2)
    np.testing.assert_allclose(prior["feature_std"], 1.0, atol=0.1)  # pooled, the two levels would give ~5


def test_streaming_crops_are_normalised_as_a_stream_starting_there_would_be(tmp_path):
    write_shard(tmp_path, np.random.default_rng(2))
    corpus = load_train(tmp_path, per_clip=False)

    def norm(mel):
        return RunningNorm(np.full(4, -7.0), np.ones(4), 30)(mel)

    x, y = batch(corpus, np.random.default_rng(3), size=6, crop=200, norm=norm)
    raw = corpus.feats.float().numpy()
    for row in x.numpy():
        starts = [s for s in range(len(raw) - 199) if np.allclose(norm(raw[s: s + 200]), row, atol=1e-4)]
        assert starts, "each crop is a window of one clip, normalised from its first frame"
    assert (y == 0).all()
