import { beforeAll, describe, expect, it } from 'vitest';
import { diagram, localDiagram, renderPng, type DiagramResult } from '../../src/diagram/index.ts';
import { cruddur } from '../fixtures.ts';
import { decodePng, inkedShare, PNG_SIGNATURE } from '../support/png.ts';

/** The SVG's size in CSS pixels: Graphviz writes points (1 pt = 4/3 px). */
function svgSizePx(svg: string): { width: number; height: number } {
  const [, w, h] = /<svg width="([\d.]+)pt" height="([\d.]+)pt"/.exec(svg)!;
  return { width: (Number(w) * 4) / 3, height: (Number(h) * 4) / 3 };
}

describe('berth diagram --format png', () => {
  let reference: DiagramResult;

  beforeAll(async () => {
    reference = await diagram(cruddur(), 'png');
  }, 60_000);

  it('is a PNG file twice the size of the SVG it is rendered from', () => {
    const png = reference.png!;
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    // IHDR is the first chunk: length 13, then width and height.
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    const svg = svgSizePx(reference.text);
    expect(png.readUInt32BE(16)).toBeCloseTo(svg.width * 2, -1);
    expect(png.readUInt32BE(20)).toBeCloseTo(svg.height * 2, -1);
    expect(svg.width).toBeGreaterThan(800);
  });

  it('has the picture drawn in it: boxes, lines and text cover part of a white page', () => {
    const decoded = decodePng(reference.png!);
    expect(decoded.width).toBe(reference.png!.readUInt32BE(16));
    const inked = inkedShare(decoded);
    // A blank (or all-black) render would be 0 (or 1); the SVG in Chromium inks about a tenth.
    expect(inked).toBeGreaterThan(0.05);
    expect(inked).toBeLessThan(0.6);
    // Not one flat colour: the clusters' fills, the white page and dark text all appear.
    const colours = new Set<number>();
    for (let i = 0; i < decoded.rgba.length; i += 4 * 97) colours.add(decoded.rgba.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(8);
  });

  it("sets the labels in the machine's fonts: without its text the same picture has less ink", async () => {
    const withText = inkedShare(decodePng(reference.png!));
    const withoutText = inkedShare(
      decodePng(await renderPng(reference.text.replace(/<text[^>]*>[^<]*<\/text>/g, ''))),
    );
    // A renderer that found no font would draw the same picture both times.
    expect(withText - withoutText).toBeGreaterThan(0.005);
  });

  it('draws the local run as PNG too', async () => {
    const local = await localDiagram(cruddur(), 'png');
    const decoded = decodePng(local.png!);
    expect(decoded.width).toBeGreaterThan(1000);
    expect(inkedShare(decoded)).toBeGreaterThan(0.05);
  });
});
