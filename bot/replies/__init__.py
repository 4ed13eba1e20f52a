"""The bot's replies, one module per domain: plain results in, LINE messages (``messaging.build``) out."""
