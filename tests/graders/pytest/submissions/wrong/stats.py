import math


def mean(xs):
    return sum(xs) / len(xs)


def median(xs):
    # forgets to average the two middle values
    return sorted(xs)[len(xs) // 2]


def stdev(xs):
    # population, not sample, standard deviation
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def load_numbers(path):
    with open(path) as f:
        return [float(line) for line in f if line.strip()]
