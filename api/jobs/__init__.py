"""The one job queue (procrastinate): the queue for this deployment's database, deferring a job."""
