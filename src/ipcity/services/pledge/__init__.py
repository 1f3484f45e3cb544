"""Patent pledge registration (专利权质押登记). Patent valuation for financing is services/valuation."""
