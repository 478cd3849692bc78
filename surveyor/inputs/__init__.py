"""Stage 2, the inputs: a responses file or survey-tool export, read into ``Responses``.

One path, walked once (``read``, the entry point): ``source`` (bytes, read once) ->
``table`` (decoded text table; ``text`` is the one decoder, ``workbook`` reads .xlsx within
``limits``) -> ``recognise`` (canonical table or which platform; ``formats`` names them,
``exports`` and ``platforms`` understand each tool's header rows) -> column plan (the
canonical identity plan in ``checks``, or ``exports``' automatic one or a ``mapping``;
``mapping_init`` proposes a mapping) -> ``validate`` (the one validator, with ``checks``
and ``names``) -> ``Responses``. ``fast_csv`` takes the same steps faster for plain CSV.
"""
