"""Static checks on a project's regular expressions."""
from __future__ import annotations

import re


def backtracks(pattern: str) -> bool:
    r"""Whether `pattern` repeats something that itself repeats or branches (`(a+)+`,
    `(a|aa)*`): the shape that takes exponential time on some inputs in a backtracking
    engine. Read from Python's own parse of the pattern. A repeated group that starts with
    a literal character nothing repeated inside it can match (`(\.[a-z]+)*`, the usual
    email and domain shape) has one way only to split its input, and is not counted."""
    import re._parser as sre  # the parser re.compile uses (Python 3.11+)

    repeats = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)

    def matches(op, arg, char: str) -> bool:
        """Whether the item (op, arg) may match `char` (True when unsure)."""
        if op == sre.LITERAL:
            return chr(arg) == char
        if op == sre.NOT_LITERAL:
            return chr(arg) != char
        if op == sre.IN:
            negate, hit = False, False
            for kind, value in arg:
                if kind == sre.NEGATE:
                    negate = True
                elif kind == sre.LITERAL:
                    hit |= chr(value) == char
                elif kind == sre.RANGE:
                    hit |= value[0] <= ord(char) <= value[1]
                elif kind == sre.CATEGORY and value in CATEGORIES:
                    hit |= CATEGORIES[value](char)
                else:
                    return True  # unsure
            return hit != negate
        return True

    word = lambda c: c.isalnum() or c == "_"  # noqa: E731
    CATEGORIES = {sre.CATEGORY_DIGIT: str.isdigit, sre.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
                  sre.CATEGORY_WORD: word, sre.CATEGORY_NOT_WORD: lambda c: not word(c),
                  sre.CATEGORY_SPACE: str.isspace, sre.CATEGORY_NOT_SPACE: lambda c: not c.isspace()}

    def items_of(sub):
        for op, arg in sub:
            if op in repeats:
                yield from items_of(arg[2])
            elif op == sre.SUBPATTERN:
                yield from items_of(arg[-1])
            elif op == sre.BRANCH:
                for branch in arg[1]:
                    yield from items_of(branch)
            else:
                yield op, arg

    def separated(sub) -> bool:
        """`sub` starts with a literal character that no repeated item in it may match."""
        sub = list(sub)
        while sub and sub[0][0] == sre.SUBPATTERN:
            sub = list(sub[0][1][-1])
        if not sub or sub[0][0] != sre.LITERAL:
            return False
        char = chr(sub[0][1])
        inner = [item for op, arg in sub[1:] if op in repeats or op in (sre.BRANCH, sre.SUBPATTERN)
                 for item in items_of([(op, arg)])]
        return not any(matches(op, arg, char) for op, arg in inner)

    def risky(items, inside: bool) -> bool:
        for op, arg in items:
            if op in repeats:
                low, high, sub = arg
                if high > 1 and inside:
                    return True
                if risky(sub, (inside or high > 1) and not (high > 1 and separated(sub))):
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
