"""The whole database schema: importing this module puts every package's tables on ``db.Base.metadata``.

Alembic (``migrations/env.py``), the tests and the benchmarks import it; the app itself needs no list of
tables, because each package imports its own models where it uses them.
"""

from __future__ import annotations

import db
from admin import models as admin_models
from bot import models as bot_models
from city import models as city_models
from content import models as content_models
from disaster import models as disaster_models
from faq import models as faq_models
from garbage import models as garbage_models
from healthdesk import models as healthdesk_models
from push import models as push_models
from residents import models as residents_models

PACKAGES = (admin_models, bot_models, city_models, content_models, disaster_models, faq_models, garbage_models,
            healthdesk_models,
            push_models, residents_models)
metadata = db.Base.metadata
