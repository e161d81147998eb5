"""Static checks on a project's regular expressions."""
from __future__ import annotations

import re


def backtracks(pattern: str) -> bool:
    """Whether `pattern` repeats something that itself repeats or branches (`(a+)+`,
    `(a|aa)*`): the shape that takes exponential time on some inputs in a backtracking
    engine. Read from Python's own parse of the pattern."""
    import re._parser as sre  # the parser re.compile uses (Python 3.11+)

    repeats = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)

    def risky(items, inside: bool) -> bool:
        for op, arg in items:
            if op in repeats:
                low, high, sub = arg
                if high > 1 and inside:
                    return True
                if risky(sub, inside or high > 1):
                    return True
            elif op == sre.SUBPATTERN:
                if risky(arg[-1], inside):
                    return True
            elif op == sre.BRANCH:
                if inside and len(arg[1]) > 1:
                    return True
                if any(risky(branch, inside) for branch in arg[1]):
                    return True
        return False

    try:
        return risky(sre.parse(pattern), False)
    except re.error:
        return False
