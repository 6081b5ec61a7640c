"""The engine: text in, changes out.

normalize (analysis copy) → candidates (dictionary forms, one pass) →
context (a model of clean Chinese) → lattice and inference (posterior of each
restoration) → spin rate (how spun the document is) → changes. Nothing here
reads files or knows about the command line.
"""
