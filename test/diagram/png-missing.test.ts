import { describe, expect, it, vi } from 'vitest';

// As on a platform without a prebuilt binary, or an install with --omit=optional: the package's
// loader throws when it finds no native module for this machine.
vi.mock('@resvg/resvg-js', () => {
  throw new Error('Cannot find module @resvg/resvg-js-linux-x64-gnu');
});

describe('berth diagram --format png without its native renderer', () => {
  it('says what is missing and the way out, and keeps the cause', async () => {
    const { renderPng } = await import('../../src/diagram/png.ts');
    const error = await renderPng('<svg xmlns="http://www.w3.org/2000/svg"/>').catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'BerthError',
      exitCode: 1,
      message: `--format png needs @resvg/resvg-js and its prebuilt binary for ${process.platform}-${process.arch}, which did not load; reinstall berth without --omit=optional (npm ci), or use --format svg`,
    });
    // The loader's own failure stays attached for --verbose and bug reports.
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
