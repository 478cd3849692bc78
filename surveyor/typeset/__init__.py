"""Typesetting shared by the printed questionnaire and the reports: the Jinja environment
(template folders, filters, fonts) and WeasyPrint with its restricted URL fetcher.
"""
