export { DEFAULT_ASSUMPTIONS, COST_FACTS, type CostAssumptions } from './assumptions.ts';
export { usd, signedUsd } from './arithmetic.ts';
export { compareEgress, type EgressComparison, type EgressRow } from './compare-egress.ts';
export { compareEstimates, costChange, type CostChange } from './cost-change.ts';
export {
  estimateCost,
  type CostBasis,
  type CostEstimate,
  type CostGroup,
  type CostLine,
  type EstimateOptions,
} from './estimate.ts';
export { PRICE_KEYS, PRICE_KEY_NAMES, type PriceKey } from './price-keys.ts';
export {
  loadPriceTable,
  priceRegions,
  SHIPPED_PRICES_DIR,
  writePriceTable,
  type Price,
  type PriceTable,
} from './prices.ts';
