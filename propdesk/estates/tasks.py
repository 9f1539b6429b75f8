"""Worker tasks of the registry."""

from huey.contrib.djhuey import db_task


@db_task(retries=0)
def roster_import_run(job_id: str, token: str, file_name: str) -> str:
    """Commit a previewed roster file (see estates.excel.jobs); the page polls the job's state."""
    from propdesk.estates.excel.jobs import job_run

    return job_run(job_id=job_id, token=token, file_name=file_name).status
