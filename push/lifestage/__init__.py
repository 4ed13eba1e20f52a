"""Life-stage push: rules as data, and which message each person is due on a given day.

A rule (from ``lifestage.toml``; the format is documented at the top of ``push/data/default_lifestage.toml``)
names an anchor (due date, birth date, school-year cohort or the resident's own age), an offset, an
optional window and deadline, a category and a message. A person is a child (or the resident) with a due
date and/or a birth date. Everything here is pure: the day is passed in and the results are plain data.

``planner.plan(rules, people, today)`` returns every message whose day is ``today`` or lies within the
rule's window before it, so the same message comes back on several days: the outbox keeps one row per
``PlannedMessage.key`` (rule, person and due day) and sends it once. Editing a birth date moves the due
day and therefore the key.

Speed: ``plan`` is one pass over the people. The rules are evaluated once per distinct anchor date (a
million residents have at most a few tens of thousands of distinct birth dates), so the cost per person
is a dict lookup and, on the rare day something is due, building the message.

Modules: ``rules`` (the rules file and what a rule means), ``planner`` (who is due what on a day, and a
person's timeline) and ``preview`` (what a resident would get and when, for ``push preview``). The
calendar arithmetic (months, ages, school years, office days) is ``japanese.calendar``.
"""
