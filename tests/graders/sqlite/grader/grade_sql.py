#!/usr/bin/env python3
"""Grades queries.sql: blocks headed `-- q1` ... `-- q4`, each one SELECT. The staff's
database is built in /tmp (SQLite with its journal and temp files there), each answer
is compared (as a multiset of rows, or in order where the question says ORDER BY) with
the staff's. Writes /shared/feedback.json (Coursera's format)."""
import json
import re
import sqlite3

FEEDBACK = "/shared/feedback.json"
DB = "/tmp/shop.db"

# question -> (the staff's answer, does the order count)
EXPECTED = {
    "q1": ("SELECT name FROM customers WHERE city = 'Lyon'", False),
    "q2": ("SELECT c.name, SUM(o.amount) FROM customers c JOIN orders o ON o.customer_id = c.id "
           "GROUP BY c.id ORDER BY 2 DESC", True),
    "q3": ("SELECT name FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)", False),
    "q4": ("SELECT city, COUNT(*) FROM customers GROUP BY city HAVING COUNT(*) > 1", False),
}


def parse(text):
    blocks = re.split(r"^--\s*(q\d+)\s*$", text, flags=re.M)
    return {blocks[i]: blocks[i + 1].strip().rstrip(";") for i in range(1, len(blocks) - 1, 2)}


def main():
    db = sqlite3.connect(DB)
    with open("schema.sql") as f:
        db.executescript(f.read())
    try:
        with open("/shared/submission/queries.sql") as f:
            answers = parse(f.read())
    except OSError:
        answers = {}
    lines, passed = [], 0
    for q, (sql, ordered) in EXPECTED.items():
        want = db.execute(sql).fetchall()
        try:
            got = db.execute(answers[q]).fetchall() if q in answers else None
        except sqlite3.Error as e:
            lines.append(f"FAIL {q}: {e}")
            continue
        ok = got is not None and (got == want if ordered else sorted(got) == sorted(want))
        passed += ok
        lines.append(f"{'PASS' if ok else 'FAIL'} {q}")
    score = round(passed / len(EXPECTED), 4)
    with open(FEEDBACK, "w") as f:
        json.dump({"fractionalScore": score, "feedback": "\n".join(lines)}, f)
    print(f"grader: score {score}", *lines, sep="\n")


if __name__ == "__main__":
    main()
