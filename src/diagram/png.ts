import { BerthError } from '../shared/errors.ts';

/** Pixels per SVG point: twice Graphviz's 72 dpi, sharp on high-density screens and in print. */
const ZOOM = 2;

/**
 * SVG -> PNG with resvg (`@resvg/resvg-js`): a Rust SVG renderer shipped as a prebuilt binary per
 * platform (optional npm dependencies), so nothing is fetched or compiled at run time and no browser
 * is needed. Text is set in the machine's own fonts (Graphviz asks for Helvetica, then sans-serif).
 */
export async function renderPng(svg: string): Promise<Buffer> {
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    // Loaded on use: the native binary is only needed for PNG, and its absence must not break the rest.
    ({ Resvg } = await import('@resvg/resvg-js'));
  } catch (err) {
    throw new BerthError(
      `--format png needs @resvg/resvg-js and its prebuilt binary for ${process.platform}-${process.arch}, which did not load; reinstall berth without --omit=optional (npm ci), or use --format svg`,
      { cause: err },
    );
  }
  return new Resvg(svg, { background: '#ffffff', fitTo: { mode: 'zoom', value: ZOOM } }).render().asPng();
}
