"""GPL's teacher step: the teacher's margins label the triplets, and a labelled set trains under
MarginMSE on the ranking loss's scale instead of hard labels."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from agent.tuning.negatives import Triplet
from agent.tuning.queries import Pair
from agent.tuning.teacher import MARGIN_SCALE, label, margin_loss, scaled_margins
from agent.tuning.train import TrainConfig, _bi_encoder_data

# Unit vectors the fake teacher returns for each text.
VECTORS = {
    "capex 2021": [1.0, 0.0],
    "capex table": [0.8, 0.6],
    "risk factors": [0.0, 1.0],
    "capex note": [0.6, 0.8],
}


class FakeTeacher:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, sentences: list[str], **kw: Any) -> Any:
        assert kw["normalize_embeddings"] is True
        self.seen += sentences
        return np.array([VECTORS[s] for s in sentences])


def triplet(query: str, positive: str, negative: str | None) -> Triplet:
    return Triplet(Pair(query, "d::1", "d", "row", "keywords", "capex"), positive, negative)


def test_the_teacher_labels_each_triplet_with_its_margin_encoding_each_text_once() -> None:
    teacher = FakeTeacher()
    rows = [
        triplet("capex 2021", "capex table", "risk factors"),
        triplet("capex 2021", "capex table", "capex note"),  # a negative nearly as good: a small margin
        triplet("capex 2021", "capex table", None),
    ]
    progress: list[tuple[int, int]] = []
    out = label(teacher, rows, lambda done, total: progress.append((done, total)))
    assert np.allclose([t.margin for t in out[:2]], [0.8, 0.2])
    assert out[2].margin is None and out[2].negative is None
    assert sorted(teacher.seen) == sorted(VECTORS)  # each distinct text once
    assert progress[-1] == (4, 4)
    assert out[0].pair == rows[0].pair and out[0].positive == rows[0].positive


def test_a_negative_the_teacher_prefers_gets_a_negative_margin() -> None:
    """A mined 'negative' that answers the query better than the positive is not taught as wrong."""
    (out,) = label(FakeTeacher(), [triplet("capex 2021", "risk factors", "capex table")])
    assert out.margin is not None and out.margin < 0


class Student(torch.nn.Module):
    """Stands for the sentence-transformer: the losses only hold it."""


def test_a_labelled_set_trains_under_margin_mse_and_an_unlabelled_one_under_the_ranking_loss() -> None:
    from sentence_transformers.losses import MarginMSELoss, MultipleNegativesRankingLoss

    rows = label(FakeTeacher(), [triplet("capex 2021", "capex table", "risk factors")])
    data, loss = _bi_encoder_data(Student(), rows, TrainConfig(), None)
    assert isinstance(loss, MarginMSELoss)
    assert data.column_names == ["anchor", "positive", "negative", "label"]
    assert np.isclose(data["label"][0], 0.8 * MARGIN_SCALE)
    assert scaled_margins(rows) == data["label"]
    plain, ranking = _bi_encoder_data(
        Student(), [triplet("capex 2021", "capex table", "risk")], TrainConfig(), None
    )
    assert isinstance(ranking, MultipleNegativesRankingLoss) and "label" not in plain.column_names


def test_the_margin_loss_compares_scaled_cosines() -> None:
    """The student's margin is on the same scale as the labels: equal margins cost nothing."""
    loss = margin_loss(Student())
    q, p, n = torch.tensor([[1.0, 0.0]]), torch.tensor([[0.8, 0.6]]), torch.tensor([[0.0, 1.0]])
    same = loss.compute_loss_from_embeddings([q, p, n], torch.tensor([0.8 * MARGIN_SCALE]))
    off = loss.compute_loss_from_embeddings([q, p, n], torch.tensor([0.0]))
    assert float(same) < 1e-6 and np.isclose(float(off), (0.8 * MARGIN_SCALE) ** 2, rtol=1e-4)
