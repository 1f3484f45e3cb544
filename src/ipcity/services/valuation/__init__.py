"""Patent valuation for financing (专利价值内部评估): indicator scores, the income approach and the pledge rate."""
