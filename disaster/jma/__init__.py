"""気象庁防災情報XML: telegrams read (``telegrams``), what they mean for the city (``city``), stored as drafts staff
relay (``reports``), fetched from JMA's feeds (``feeds``)."""
