"""Running as a service: the durable inbox, polling, health, logs, start-up, backups."""
