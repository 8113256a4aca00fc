"""Errors that mean "the user's input is wrong", kept apart from bugs.

The command line turns a :class:`ScenarioError` into one line on stderr and exit code 2;
anything else is a bug and keeps its traceback (exit code 1).
"""

from sim.yamlio import shown


class ScenarioError(ValueError):
    """A scenario file, override, flag or data file that cannot be used.

    The message is one line naming the source (file or flag), the key and what would be valid.
    """

    def __init__(self, source: str, key: str | None, problem: str):
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        # one line, whatever the input: a line break, ANSI escape or NUL in a key or file
        # name is shown escaped, so the message can neither break nor steer the terminal
        super().__init__(shown(f"{where}: {problem}", None))

    def __reduce__(self) -> tuple[type, tuple[str, str | None, str]]:
        # copied or sent from a worker process, the error is made again from its three parts
        return type(self), (self.source, self.key, self.problem)
