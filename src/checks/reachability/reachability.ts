import type { Finding } from '../findings.ts';
import { buildModel } from './model.ts';
import { type PathResult, RULES } from './rules/index.ts';
import { type CfnTemplate, Resolver, type TemplateEnv } from '../../shared/template-resolver.ts';
import { workloads } from './workloads.ts';

/** A service as the config declares it: its ECS service name and the services it calls. */
export interface DeclaredService {
  readonly id: string;
  readonly serviceName: string;
  readonly calls: readonly string[];
}

export interface ReachabilityOptions {
  readonly env: TemplateEnv;
  /** Stack name, prefixed to the resources findings name. */
  readonly stack: string;
  /** Without it, service-to-service paths are not judged (nothing says which calls are real). */
  readonly services?: readonly DeclaredService[];
}

export interface ReachabilityReport {
  readonly paths: readonly PathResult[];
  readonly findings: readonly Finding[];
}

/**
 * The offline cousin of VPC Reachability Analyzer for one template: for every ECS service, can
 * its tasks reach what they need, can the load balancer reach them, and is nothing else open.
 * Pure: reads the template, prints nothing.
 */
export function checkReachability(template: CfnTemplate, options: ReachabilityOptions): ReachabilityReport {
  const resolver = new Resolver(template, options.env);
  const ctx = { model: buildModel(resolver), resolver };
  const byName = new Map(options.services?.map((s) => [s.serviceName, s.id]));
  const input = {
    ctx,
    workloads: workloads(resolver, (name) => byName.get(name)),
    ...(options.services ? { calls: new Map(options.services.map((s) => [s.id, s.calls])) } : {}),
  };
  const paths = RULES.flatMap((rule) => rule(input));
  const findings: Finding[] = paths
    .filter((p) => !p.ok)
    .map((p) => ({
      source: 'reachability',
      pack: 'Reachability',
      rule: p.rule,
      severity: 'error',
      resource: `${options.stack}/${p.hop?.resource ?? '(template)'}`,
      message:
        p.expect === 'open'
          ? `${p.from} cannot reach ${p.to}: dropped at ${p.hop?.hop}: ${p.hop?.reason}.`
          : `${p.to} can be reached from ${p.from}, which must not reach it: through ${p.hop?.hop}: ${p.hop?.reason}.`,
      ...(p.hop ? { fix: p.hop.fix } : {}),
    }));
  return { paths, findings };
}
