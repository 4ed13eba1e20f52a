"""The console's test page: type a question, see the reply exactly as a resident would get it, and why."""

from __future__ import annotations

from flask import current_app
from flask import render_template
from flask import request

from admin import auth
from admin import forms
from admin.models import Role
from admin.views import bp

# The app puts here the function that answers as the bot would (``bot.preview.preview``): the console shows
# its result without importing the bot.
PREVIEW = "admin.preview"
MAX_TEXT = 500


@bp.route("/try", methods=["GET", "POST"])
@auth.requires(Role.EDITOR)
def try_question():
    """The reply to the question posted as a new resident would get it (nothing is sent or logged), with the
    route's decision and the matcher's scores per view. Posted, not in the URL: a question copied from a
    resident must not reach the access log."""
    text = (request.form.get("q") or "").strip()[:MAX_TEXT] if request.method == "POST" else ""
    result = current_app.extensions[PREVIEW](text) if text else None
    return render_template("admin/try.html", text=text, result=result, golden_form=forms.GoldenForm(formdata=None))
