"""``python -m sim``: the command line (:func:`sim.cli.entry`)."""

from sim.cli import entry

# the guard matters: worker processes started by a fork server or by spawning import this
# module again (as ``__mp_main__``), and must not run the command line a second time
if __name__ == "__main__":
    entry()
