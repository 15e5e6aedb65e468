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
});
