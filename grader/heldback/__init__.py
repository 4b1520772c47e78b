"""Held-back cases: instructor material, never shipped to learners (``aidojo`` does not import this package).

``grader/heldback/<module>.py`` defines ``CASES: dict[str, list[Case]]`` (question id → hidden cases). Their
inputs reach the learner's sandbox during grading; their expectations and the judge stay in the trusted
grader process. Every case's ``kind`` must also appear among the question's public cases, so that a self-check
that passes means full points (tests/test_heldback.py checks it).
"""
