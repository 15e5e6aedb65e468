import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../src/config/index.ts';
import { diagram, type DiagramResult } from '../../src/diagram/index.ts';
import { cruddur } from '../fixtures.ts';
import { launchChromium } from '../support/browser.ts';
import { threeServices } from './configs.ts';

export const REFERENCE_SVG = path.resolve(import.meta.dirname, '../../docs/diagrams/cruddur.svg');

/** What a reader must find in the picture, taken from the config (not from the diagram code). */
function expectedNames(config: ResolvedConfig): string[] {
  const names = config.services.flatMap((s) => [s.id, ...(s.route ? [s.route.host] : [])]);
  for (let az = 1; az <= config.network.azs; az++) {
    names.push(`Public ${az} subnet`);
    if (config.network.egress !== 'public-tasks') names.push(`Private ${az} subnet`);
  }
  return [...names, ...config.tables, 'HTTP :80', 'HTTPS :443', 'redirect HTTPS:443 (301)'];
}

describe('berth diagram', () => {
  const reference = cruddur();
  const three = cruddur(threeServices);
  let referenceSvg: DiagramResult;
  let threeSvg: DiagramResult;
  let browser: Browser;

  beforeAll(async () => {
    [referenceSvg, threeSvg] = [await diagram(reference, 'svg'), await diagram(three, 'svg')];
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  /** The SVG's text as the browser reads it, or the parser's complaint when it is not well-formed XML. */
  async function parse(svg: string): Promise<{ error?: string; text: string; root: string }> {
    const page = await browser.newPage();
    try {
      // Browser-side code as text: the test project compiles without the DOM library.
      return (await page.evaluate(`(() => {
        const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
        const error = doc.querySelector('parsererror')?.textContent ?? undefined;
        const text = [...doc.querySelectorAll('text')].map((t) => t.textContent).join('\\n');
        return { ...(error ? { error } : {}), text, root: doc.documentElement.nodeName };
      })()`)) as { error?: string; text: string; root: string };
    } finally {
      await page.close();
    }
  }

  for (const [name, config, result] of [
    ['the reference config', () => reference, () => referenceSvg],
    ['a three-service config (endpoints, 3 AZs, WAF, secrets)', () => three, () => threeSvg],
  ] as const) {
    it(`draws ${name} as well-formed SVG naming every service, rule and subnet`, async () => {
      const { error, text, root } = await parse(result().text);
      expect(error).toBeUndefined();
      expect(root).toBe('svg');
      for (const n of expectedNames(config())) expect(text, n).toContain(n);
    });
  }

  it('shows what the three-service template adds: path rule, arm64 size, count, endpoints, WAF, secrets, read access', async () => {
    const { text } = await parse(threeSvg.text);
    for (const n of [
      'rule 10: host admin.cruddur.example.com, path /admin/*',
      '0.5 vCPU / 1 GB, arm64',
      '2 tasks',
      'Service Connect admin:8080',
      'ecr.api, ecr.dkr, kms, logs, secretsmanager, ssm, ssmmessages',
      'AWSManagedRulesCommonRuleSet',
      'DB_PASSWORD ← SSM /cruddur/backend/DB_PASSWORD',
      'API_KEY ← Secrets Manager cruddur/api-key',
      'ECR cruddur/admin',
      'Private 3 subnet',
    ])
      expect(text, n).toContain(n);
    const admin = threeSvg.topology.services.find((s) => s.id === 'admin')!;
    expect(admin.tables).toEqual([{ name: 'activities', access: 'read' }]);
  });

  it('renders in Chromium: a screenshot of the SVG has drawn content', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    try {
      await page.setContent(
        `<body style="margin:0;background:#fff">${referenceSvg.text.replace(/^[\s\S]*?<svg/, '<svg')}</body>`,
      );
      const box = await page.locator('svg').boundingBox();
      expect(box!.width).toBeGreaterThan(500);
      const shot = await page.screenshot({ type: 'png' });
      // Decode the screenshot in the page itself and count pixels that are not white.
      const inked = (await page.evaluate(`(async () => {
        const img = new Image();
        img.src = 'data:image/png;base64,${shot.toString('base64')}';
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, img.width, img.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) n++;
        return n / (img.width * img.height);
      })()`)) as number;
      // Boxes, clusters, text and edges cover a good share of the picture; a blank page is 0.
      expect(inked).toBeGreaterThan(0.05);
    } finally {
      await page.close();
    }
  });

  it('gives Mermaid text whose edges all join declared nodes', async () => {
    const { text } = await diagram(reference, 'mermaid');
    expect(text.startsWith('flowchart LR\n')).toBe(true);
    const declared = new Set([...text.matchAll(/^\s+(\w+)(?:\[|\(\(|>)/gm)].map((m) => m[1]));
    const edges = [...text.matchAll(/^\s+(\w+) (?:-->|-\.->|<-\.->|---)(?:\|[^|]*\|)? (\w+)$/gm)];
    expect(edges.length).toBeGreaterThan(10);
    for (const [, from, to] of edges) {
      expect(declared, from).toContain(from);
      expect(declared, to).toContain(to);
    }
    for (const n of ['backend', 'frontend', 'rule 10: host api.cruddur.example.com', 'Private 1 subnet'])
      expect(text).toContain(n);
  });

  it('the picture in the README is the one the command draws now', () => {
    // Regenerate with: npx berth diagram --config examples/cruddur/berth.config.ts --out docs/diagrams/cruddur.svg
    expect(readFileSync(REFERENCE_SVG, 'utf8')).toBe(referenceSvg.text);
    expect(readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8')).toContain(
      '](docs/diagrams/cruddur.svg)',
    );
  });
});
