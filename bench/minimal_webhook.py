"""The floor of this stack: a Flask app whose webhook only checks LINE's signature and answers 200.

``bench/bench_webhook.py`` serves it under gunicorn with the bot's worker settings, so the bot's figures can
be read against what the server, Flask and the signature check alone allow on the same machine.
"""

from __future__ import annotations

import os

from flask import Flask
from flask import abort
from flask import request
from linebot.v3 import WebhookParser

app = Flask(__name__)
parser = WebhookParser(os.environ["LINE_CHANNEL_SECRET"])


@app.post("/callback")
def callback():
    """Verify the signature on the raw body; 400 when it does not match."""
    signature = request.headers.get("X-Line-Signature", "")
    if not parser.signature_validator.validate(request.get_data(as_text=True), signature):
        abort(400)
    return "OK"


@app.get("/healthz")
def healthz():
    """200 while the process answers."""
    return {"status": "ok"}
