import { z } from 'zod';
import { BerthConfigSchema } from './schema.ts';

/**
 * The config's JSON Schema, for editors (`"$schema"` in JSON configs, or yaml-language-server).
 * Cross-field rules (Fargate sizes, table references) are only in berth's own validation.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(BerthConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'berth deployment config',
  };
}
