import releaseLines from './data/nodejs-release-lines.json' with { type: 'json' };

/** One Node.js release line and its end of life, from the table in data/nodejs-release-lines.json. */
export interface ReleaseLine {
  readonly line: number;
  /** The LTS codename; odd lines never become LTS. */
  readonly lts?: string;
  readonly released: string;
  /** After this day the line gets no security fixes. */
  readonly endOfLife: string;
}

/** The table, kept as data so that a new line or a moved date is a one-line change. */
export const NODEJS_RELEASE_LINES: readonly ReleaseLine[] = releaseLines.lines;

/** The release line of a Node.js version (`24.11.1` is line 24), or undefined when the table does not know it. */
export function nodeReleaseLine(version: string): ReleaseLine | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1]);
  return NODEJS_RELEASE_LINES.find((l) => l.line === major);
}

/** True once the line's end-of-life day has passed. */
export function pastEndOfLife(line: ReleaseLine, now: Date): boolean {
  return now.getTime() >= Date.parse(`${line.endOfLife}T00:00:00Z`) + 24 * 3600 * 1000;
}
