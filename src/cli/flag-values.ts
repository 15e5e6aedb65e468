import { InvalidArgumentError } from 'commander';

// The values of berth's flags, each parsed once here for every command that takes it: commander
// calls these, and a bad value is its usage error (exit 2) with the hint given.

/** A number from `min` to `max` (a whole one when `whole`), or the usage error `hint`. */
function numberIn(min: number, max: number, hint: string, whole = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n)))
      throw new InvalidArgumentError(hint);
    return n;
  };
}

/** `--http-port`, `--https-port`: 0 asks for a free one. */
export const toPort = numberIn(0, 65535, 'use a port number 0..65535', true);
/** `--health-interval-ms`. */
export const toInterval = numberIn(10, Number.MAX_SAFE_INTEGER, 'use an integer of at least 10 (ms)', true);
/** `--step-seconds`, `--bake-seconds`. */
export const toSeconds = numberIn(0, 86_400, 'use a number of seconds from 0 to 86400');
/** `--step-percent`. */
export const toPercent = numberIn(0.1, 100, 'use a percentage from 0.1 to 100');

/** `--scale SERVICE=COUNT`, repeatable; each service once. */
export function collectScale(value: string, previous: Record<string, number> = {}): Record<string, number> {
  const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('write SERVICE=COUNT, e.g. backend=3');
  const [, id, text] = match as unknown as [string, string, string];
  const count = Number(text);
  // 0 as in the config: `scaling.desired: 0` runs a service with no task, so may --scale.
  if (count > 20) throw new InvalidArgumentError('the count must be 0..20');
  if (id in previous)
    throw new InvalidArgumentError(
      `${id} is given twice (${previous[id]}, then ${count}): give each service once`,
    );
  return { ...previous, [id]: count };
}
