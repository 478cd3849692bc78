"""Stage 2, the inputs: a responses file or survey-tool export, read into ``Responses``.

``text`` (the one decoder for every delimited file), ``workbook`` (.xlsx within bounds),
``limits``; ``response_files`` and ``export_files`` (bytes to a decoded table, format
detection), ``formats``, ``exports`` and ``mapping`` (a platform's columns to items),
``mapping_init`` (proposing a mapping), ``checks`` and ``names`` (the rules both readers
share), ``responses`` (the validator) and ``fast_csv`` (plain CSV at national scale).
"""
