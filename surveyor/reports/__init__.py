"""Stage 4, the reports: what each template receives (``context``), the charts, brands,
reflective questions, the report HTML, and the workers that render and cache PDFs.
"""
