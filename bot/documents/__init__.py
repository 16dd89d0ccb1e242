"""Documents: briefing packs, plan, progress report and the workbook, rendered in a worker."""
