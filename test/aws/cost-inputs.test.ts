import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import reference from '../../examples/cruddur/berth.config.ts';
import { costInputs, deployCostChange } from '../../src/aws/deploy/cost-inputs.ts';
import { parseConfig, type ResolvedConfig } from '../../src/config/index.ts';
import { estimateCost, loadPriceTable } from '../../src/cost/index.ts';
import { cruddur } from '../fixtures.ts';

// The config the app stack records for the next cost line (docs/deploy.md, "The cost line").

describe('the config an app stack records', () => {
  it('is the same from any checkout: no absolute path, no local command, no environment value', () => {
    const here = cruddur();
    const elsewhere = parseConfig(structuredClone(reference), path.join(os.tmpdir(), 'x', 'berth.config.ts'));
    const recorded = JSON.stringify(costInputs(here));
    expect(recorded).toBe(JSON.stringify(costInputs(elsewhere)));
    expect(recorded).not.toContain(here.baseDir);
    expect(recorded).not.toContain('"local"');
    for (const s of here.services)
      for (const value of Object.values(s.environment).filter((v) => v.length > 3))
        expect(recorded).not.toContain(JSON.stringify(value));
  });

  it("does not change when the config declares another stage: adding dev leaves prod's template alone", () => {
    const prod = cruddur();
    const withDev: ResolvedConfig = {
      ...prod,
      stages: [
        ...prod.stages,
        { ...prod.stages[0]!, name: 'dev', production: false, overrides: ['scaling'] },
      ],
    };
    expect(JSON.stringify(costInputs(withDev))).toBe(JSON.stringify(costInputs(prod)));
  });

  it('estimates as the config itself does', () => {
    const config = cruddur();
    const read = {
      ...(JSON.parse(JSON.stringify(costInputs(config))) as ResolvedConfig),
      baseDir: config.baseDir,
    };
    const prices = loadPriceTable('us-east-1');
    expect(estimateCost(read, { prices })).toEqual(estimateCost(config, { prices }));
  });
});

describe('deployCostChange', () => {
  const config = cruddur();

  it('is the whole month before the first deploy', async () => {
    const month = estimateCost(config, { prices: loadPriceTable('us-east-1') }).monthlyUsd;
    const { change } = await deployCostChange(config, { kind: 'none' });
    expect(change?.summary).toBe(`+$${month.toFixed(2)}/month: the first deploy of stage prod`);
  });

  it('says why there is none for a stack that records no config, or a recorded config it cannot read', async () => {
    expect(await deployCostChange(config, { kind: 'unknown' })).toEqual({
      note: 'the deployed stack does not record its config (deployed before berth recorded it)',
    });
    const broken = { ...config, services: undefined } as unknown as ResolvedConfig;
    const { change, note } = await deployCostChange(config, { kind: 'deployed', config: broken });
    expect(change).toBeUndefined();
    expect(note).toMatch(/^the recorded config cannot be estimated \(/);
  });
});
