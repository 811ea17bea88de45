"""Checks of chapter 15's exercises: right answers pass, typical mistakes get their hint."""
import pytest
import torch

from hjlib import exercises
from hjlib.exercises import ExerciseError


def counts(verdicts):
    return {k: verdicts.count(k) for k in ("reproduced", "differs", "open")}


def test_verdict_counts():
    assert exercises.check("ch15-verdict-counts", counts)
    with pytest.raises(ExerciseError, match="including the ones that do not occur"):
        exercises.check("ch15-verdict-counts", lambda v: {k: v.count(k) for k in set(v)})


def good(q, K, V, eps):
    z = (K @ q).detach().requires_grad_(True)
    (w,) = torch.autograd.grad(eps * torch.logsumexp(z / eps, 0), z)
    return w @ V


def test_attention_autograd():
    assert exercises.check("ch15-attention-autograd", good)
    with pytest.raises(ExerciseError, match="contract them with V"):
        exercises.check("ch15-attention-autograd", lambda q, K, V, eps: torch.softmax(K @ q / eps, 0))
    with pytest.raises(ExerciseError, match="temperature is missing"):
        exercises.check("ch15-attention-autograd", lambda q, K, V, eps: torch.softmax(K @ q, 0) @ V)
