"""`python -m bot ...`: the staff and operator command line (see bot/cli.py)."""
from bot.cli import main

main()
