import sys

from blindspot.cli import main

sys.exit(main())
