"""Start ProcureDesk: `python main.py [FILE]`, or `python main.py --demo` for the demo."""

import sys

from ui.launcher import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
