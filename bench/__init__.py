"""Cost of a sync (issue 6): ``python -m bench.run`` measures the engine against two
hand-written baselines; ``bench.profile_calls`` splits a sync's CPU by backend call;
``bench.soak`` checks that nothing grows over many failing syncs.

For ``bench.run``: the figures decide whether syncing millions of accounts a day is
affordable, so every configuration is measured in the same run on the same machine, and every
sync's data is checked against the demo site's seeded data before its figures count.
"""
