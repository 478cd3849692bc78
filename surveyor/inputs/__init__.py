"""Stage 2, the inputs: a responses file or survey-tool export, read into ``Responses``.

``response_files`` and ``export_files`` (bytes to a decoded table, format detection),
``exports`` and ``mapping`` (a platform's columns to items), ``mapping_init`` (proposing a
mapping), ``responses`` (the validator) and ``fast_csv`` (plain CSV at national scale).
"""
