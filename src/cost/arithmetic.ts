/** How numbers appear in an estimate's arithmetic: `730 h x $0.0225 = $16.43`. */

/** A quantity: up to 4 decimals, no trailing zeros, thousands grouped. */
export function num(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 4, useGrouping: true });
}

/** A rate as published, with all its digits (`$0.004445`). */
export function rate(usd: number): string {
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 8, useGrouping: true })}`;
}

/** Money to the cent (`$16.43`, `-$3.65`). */
export function usd(n: number): string {
  const cents = Math.round(n * 100) / 100;
  const sign = cents < 0 ? '-' : '';
  return `${sign}$${Math.abs(cents).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A signed change in money, as `berth diff` shows it (`+$3.65`, `-$0.50`, `$0.00`). */
export function signedUsd(n: number): string {
  const text = usd(n);
  return Math.round(n * 100) === 0 ? usd(0) : n > 0 ? `+${text}` : text;
}

export type Factor = readonly [value: number, unit: string];

/**
 * `2 tasks x 0.25 vCPU x 730 h x $0.04048 = $14.78`: the factors, the published rate, an optional
 * multiplier after it (a Spot discount), and the monthly result.
 */
export function arithmetic(
  factors: readonly Factor[],
  unitRate: number,
  monthly: number,
  multiplier?: string,
): string {
  const parts = factors.map(([v, unit]) => (unit ? `${num(v)} ${unit}` : num(v)));
  return `${[...parts, rate(unitRate), ...(multiplier ? [multiplier] : [])].join(' x ')} = ${usd(monthly)}`;
}
