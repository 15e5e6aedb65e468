import { Option } from 'commander';
import { DEFAULT_CONFIG_FILE } from '../config/index.ts';

/** Exit codes shared by every command: 0 fine, 1 findings or a failed operation, 2 bad config or flags. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** `--config FILE`, the same on every command that reads a config. */
export const configOption = () =>
  new Option('-c, --config <file>', 'deployment config').default(DEFAULT_CONFIG_FILE);
