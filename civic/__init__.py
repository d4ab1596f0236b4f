"""The domain everyone shares: settings, the record, vocabularies, facts, text, i18n."""
