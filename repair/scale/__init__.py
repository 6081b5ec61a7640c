"""Corpus scale: unspin on Ray (``pip install 'unspin[ray]'``).

* :mod:`repair.scale.ray_data` — a ``map_batches`` callable class and
  ``fix_dataset`` / ``score_dataset`` for ``ray.data`` pipelines;
* :mod:`repair.scale.cluster` — ``unspin fix/check/score --ray``: the file
  commands' job with Ray actors in place of local worker processes.

Nothing here imports Ray or pyarrow until it is used, so the base install
never needs them.
"""
