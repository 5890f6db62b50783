"""The county benchmark of issue 14: ``python -m benchmarks`` (``make bench``).

``county`` builds a county's records in bulk on the migrations' schema, ``database`` caches the
built database, ``harness`` times the pages in-process and ``floors`` times what the roll page and
the monthly sheet would cost with one raw query and a plain template. See docs/performance.md.
"""
