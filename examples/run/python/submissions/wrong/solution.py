# Deliberately wrong, the ways learners' programs go wrong; one per hidden test after
# the first (which it passes): 1 of 4.
import sys

line = sys.stdin.readline()
while not line.strip():  # waits for a non-empty line; at the end of input it spins: time limit
    line = sys.stdin.readline()
numbers = [int(t) for t in line.split()]  # the first line only: a wrong answer on several lines
seen = []
for k in range(max(numbers)):  # a "table" as long as the largest number: memory limit
    seen.append(k)
print(sum(numbers))
