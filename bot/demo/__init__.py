"""`agenda-bot demo`: simulated people talk to the real bot through the fake Telegram."""
