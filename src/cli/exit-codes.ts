/** Exit codes shared by every command: 0 fine, 1 findings or a failed operation, 2 bad config or flags. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
