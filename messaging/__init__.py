"""What residents receive: every Japanese text, LINE messages built within LINE's limits, and the clients
that send them."""
