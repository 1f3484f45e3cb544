"""Patent pledge registration (专利权质押登记) and patent valuation for financing."""
