"""`python generate.py ...` is the same command as the installed `handouts ...`."""

from handouts.cli import main

if __name__ == "__main__":
    main()
