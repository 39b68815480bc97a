"""FAON pages: public (join, certificate check), vetting, provider records, events, API."""
