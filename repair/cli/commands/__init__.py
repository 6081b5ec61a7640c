"""Sub-commands of ``unspin`` that work on files: fix, check, score, explain, learn.

Each lives in the module of its name and is imported when it is named
(``repair.cli.main.COMMANDS``).
"""
