import path from 'node:path';
import reference from '../../examples/cruddur/berth.config.ts';
import { parseConfig, type ResolvedConfig, type StageSummary } from '../../src/config/index.ts';

/** A staging and a prod stage of the reference app in one account, as ResolvedConfig.stages lists them. */
export const STAGES: readonly StageSummary[] = [
  {
    name: 'staging',
    account: '123456789012',
    region: 'us-east-1',
    domain: 'staging.cruddur.example.com',
    production: false,
    overrides: ['domain'],
  },
  {
    name: 'prod',
    account: '123456789012',
    region: 'us-east-1',
    domain: 'cruddur.example.com',
    production: true,
    overrides: [],
  },
];

/** The reference config, read from `file`, with the stages above (or others). */
export function stagedConfig(file: string, stages: readonly StageSummary[] = STAGES): ResolvedConfig {
  return { ...parseConfig(structuredClone(reference), path.resolve(file)), stages };
}
