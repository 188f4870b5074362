"""``fitness batch``: a video archive through the model on a Ray cluster, into the shared store.

:mod:`~fitness.batch.inputs` finds the videos and hashes them, :mod:`~fitness.batch.cluster`
starts or joins Ray, :mod:`~fitness.batch.worker` is the actor that analyses one video at a
time with its own model, :mod:`~fitness.batch.runner` schedules and records, and
:mod:`~fitness.batch.summary` holds what comes out. The ledger that makes every video count
once lives with the store (:mod:`fitness.store.ledger`).
"""
