"""``python -m lzspatial``: the same as the ``lzspatial`` command."""

from lzspatial.cli import main

if __name__ == "__main__":
    main()
