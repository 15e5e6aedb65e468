import { randomBytes } from 'node:crypto';

// ULID layout (https://github.com/ulid/spec): 10 characters of millisecond timestamp, then 16 of
// randomness, in Crockford base32. Fixed width and a time prefix make string order match time order,
// which is what lets the home feed page by id alone.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;
const RANDOM_LIMIT = 1n << 80n;

/** What an activity id looks like, for route schemas: 26 characters of Crockford base32. */
export const ACTIVITY_ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';

function encode(value: bigint, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    text = ALPHABET[Number(value & 31n)] + text;
    value >>= 5n;
  }
  return text;
}

/**
 * Hands out ids that sort strictly after every id it handed out before, even within one millisecond
 * or when the clock steps back: the time part never decreases and the random part is incremented
 * instead of redrawn (ULID's monotonic mode).
 */
export class ActivityIds {
  private lastTime = -1;
  private lastRandom = 0n;

  next(at: number = Date.now()): string {
    if (at > this.lastTime) {
      this.lastTime = at;
      this.lastRandom = BigInt(`0x${randomBytes(10).toString('hex')}`);
    } else {
      this.lastRandom += 1n;
      if (this.lastRandom === RANDOM_LIMIT) {
        this.lastTime += 1;
        this.lastRandom = 0n;
      }
    }
    return encode(BigInt(this.lastTime), TIME_LENGTH) + encode(this.lastRandom, RANDOM_LENGTH);
  }
}

/** The process-wide generator, so ids stay ordered across every store in the process. */
export const activityIds = new ActivityIds();
