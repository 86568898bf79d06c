"""SLA reminders, the daily digest and the retention purge: what the scheduler runs."""
