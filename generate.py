"""`python generate.py ...` is the same command as the installed `handouts ...`."""

from handouts.cli import run

if __name__ == "__main__":
    run()
