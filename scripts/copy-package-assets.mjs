// Files that tsc does not emit but the compiled package reads at run time, copied next to the
// modules that read them (each resolves them from its own import.meta.dirname).
import { cpSync } from 'node:fs';

const ASSETS = [
  'init/compose/compose-spec.json', // berth init --from: the Compose specification's JSON Schema
  'init/compose/LICENSE', // and its licence
  'config/load-worker.mjs', // the worker thread a config file runs in
  'infra/release/verifier-handler.cjs', // the release verifier hook, inlined into its Lambda at synth
  'config/schema-docs.json', // berth schema: each field's description, default and examples
  'cost/prices', // berth cost: the shipped price tables
];

for (const asset of ASSETS) cpSync(`src/${asset}`, `dist/${asset}`, { recursive: true });
