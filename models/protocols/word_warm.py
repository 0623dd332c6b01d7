"""Imported only by the Word export's fork server (`word_export._children`): one render of a sample that has
every kind of block, with the default template, before any child is forked. Each child then starts with the
regular expressions, Jinja's lexer, the blank body, and the default template's styles, cleaned XML and compiled
parts ready (a third of a single export's time went there)."""

import contextlib
import gc

from models.protocols import word_export

with contextlib.suppress(Exception):  # a failed warm-up only leaves the children cold
    word_export.warm()
gc.freeze()  # what the fork server holds is never scanned again by a child's collections, nor copied by them
