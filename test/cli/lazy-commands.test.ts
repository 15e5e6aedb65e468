import { describe, expect, it } from 'vitest';
import { runBerth } from '../support/berth-cli.ts';

describe('commands load on use', () => {
  it('lists every command in berth --help, and each one answers its own --help in full', async () => {
    const top = await runBerth(['--help']);
    expect(top.code).toBe(0);
    const names = [...top.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)]
      .map((m) => m[1]!)
      .filter((n) => n !== 'help');
    expect(names).toEqual(expect.arrayContaining(['init', 'up', 'down', 'status', 'synth', 'check']));
    // Each entry of the table in src/cli/main.ts loads the module of the command it names.
    const helps = await Promise.all(names.map((name) => runBerth([name, '--help'])));
    for (const [i, name] of names.entries()) {
      expect(helps[i]!.code, helps[i]!.stderr).toBe(0);
      expect(helps[i]!.stdout).toMatch(new RegExp(`^Usage: berth ${name} \\[options\\]`));
    }
    const viaHelp = await runBerth(['help', 'restart']);
    expect(viaHelp.stdout).toMatch(/^Usage: berth restart \[options\] <service>/);
  });

  it('loads no AWS SDK client, CDK or cdk-nag for --help or for the local status command', async () => {
    // A loader hook that names every heavy package module as it loads, on stderr.
    const hook = `export async function load(u, c, n) { if (/node_modules\\/(@aws-sdk|aws-cdk-lib|cdk-nag|@aws-cdk)\\//.test(u)) process.stderr.write("HEAVY " + u + "\\n"); return n(u, c); }`;
    const register = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));`;
    const env = {
      ...process.env,
      NODE_OPTIONS: `--import "data:text/javascript,${encodeURIComponent(register)}"`,
    };
    for (const args of [['--help'], ['status', '--help'], ['down', '--help']]) {
      const run = await runBerth(args, { env });
      expect(run.code, run.stderr).toBe(0);
      const heavy = [...run.stderr.matchAll(/^HEAVY .*node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map(
        (m) => m[1],
      );
      expect({ args, heavy: [...new Set(heavy)] }).toEqual({ args, heavy: [] });
    }
  });
});
