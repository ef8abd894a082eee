import numpy as np


def moving_average(x, k):
    """Means of every window of k consecutive values."""
    c = np.cumsum(np.insert(np.asarray(x, dtype=float), 0, 0.0))
    return (c[k:] - c[:-k]) / k


def normalize_rows(m):
    """Each row scaled to unit Euclidean length."""
    m = np.asarray(m, dtype=float)
    return m / np.linalg.norm(m, axis=1, keepdims=True)
