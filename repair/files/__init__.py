"""Files: what a command reads and writes.

Walking folders and ignore files, text I/O that loses no byte, the formats
(plain text, Markdown, HTML, JSON Lines), atomic writes, project settings, and
the worker pool that feeds documents to the engine.
"""
