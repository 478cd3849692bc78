"""Stage 3, the numbers: keying and scores, statistics checked against R, agreement,
the suppression pass that decides what may be shown, and the group summaries.
"""
