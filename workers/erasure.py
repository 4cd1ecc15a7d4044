"""After an erasure: what it removed leaves Redis's append-only file too.

Personal fields are sealed with a person's key, which the erasure deletes; the e-mail hashes in
the deployment's seen set are not sealed (newcomer detection looks them up), so the erasure
removes them, and this job has Redis rewrite its append-only file without them. A rewrite that
is running already may have started before the erasure: then the job fails, and RQ runs it
again later.
"""

from __future__ import annotations

from workers.context import context, job


@job
def forget_history(workshop_id: str) -> None:
    """Rewrite the append-only file unless a rewrite since the last erasure did it already."""
    context().log.forget_history()
