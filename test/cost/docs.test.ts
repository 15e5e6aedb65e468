import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderComparison, renderEstimate } from '../../src/cli/cost-render.ts';
import { compareEgress, estimateCost, loadPriceTable, priceRegions, usd } from '../../src/cost/index.ts';
import { cruddur } from '../fixtures.ts';

const doc = (name: string) => readFileSync(path.resolve(import.meta.dirname, '../../docs', name), 'utf8');
const prices = loadPriceTable('us-east-1');

describe('the cost docs say what berth cost prints', () => {
  it("docs/cost.md shows the reference config's current output", () => {
    const text = doc('cost.md');
    expect(text).toContain(renderEstimate(estimateCost(cruddur(), { prices }), 'prod'));
    expect(text).toContain(renderComparison(compareEgress(cruddur(), { prices }), 'prod'));
  });

  it('docs/cost.md says how far each shipped price is checked, as its table records it', () => {
    const text = doc('cost.md');
    for (const region of priceRegions()) {
      const checks = Object.entries(loadPriceTable(region).prices).map(([key, p]) => ({ key, ...p.check }));
      const count = (status: string) => checks.filter((c) => c.status === status).length;
      expect(text).toContain(
        `#### ${region}: ${count('corroborated')} corroborated, ${count('unverified')} unverified`,
      );
      for (const c of checks)
        expect(text, `${region} ${c.key}`).toContain(
          `| \`${c.key}\` | ${c.status} | ${c.by.replace(/\|/g, '/')} |`,
        );
      // A shipped table is hand-entered: nothing in it may claim to have been read from AWS.
      expect(count('verified'), region).toBe(0);
    }
  });

  it("docs/configuration.md's egress figures are the ones --compare egress gives", () => {
    const text = doc('configuration.md');
    const { rows } = compareEgress(cruddur(), { prices });
    const figure = (label: string) =>
      new RegExp(`^\\| ${label}[^|]*\\|.*\\*\\*(\\$[\\d.,]+)\\*\\*`, 'm').exec(text)?.[1];
    for (const row of rows) {
      const label =
        row.id === 'seed-as-built'
          ? 'seed as built'
          : row.id === 'seed-private'
            ? "seed's private layout"
            : `\`${row.id}\``;
      expect(figure(label.replace(/[()]/g, '\\$&')), row.id).toBe(usd(row.estimate.egressUsd));
    }
  });
});
