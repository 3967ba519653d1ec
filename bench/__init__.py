"""Cost benchmark of a sync (issue 6): the engine against two hand-written baselines.

Run ``python -m bench.run``. The figures decide whether syncing millions of accounts a day is
affordable, so every configuration is measured in the same run on the same machine, and every
sync's data is checked against the demo site's seeded data before its figures count.
"""
