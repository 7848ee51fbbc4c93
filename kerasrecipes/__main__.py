"""`python -m kerasrecipes ...` runs the command line."""

import sys

from kerasrecipes.cli import main

sys.exit(main())
