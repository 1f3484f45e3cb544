"""The platform core: config, database, accounts, audit, calendar, files, jobs, i18n, plugins."""
