"""Console pages of service requests: queues, intake, workbench, dashboard; the owner's list."""
