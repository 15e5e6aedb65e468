import path from 'node:path';
import type { ResolvedConfig, ResolvedService } from '../config/index.ts';
import { names } from '../infra/naming.ts';
import { taskSize } from './dot.ts';
import { discoveryVariable, statePaths, type LocalPlan } from '../local/index.ts';

/**
 * What `berth up` runs, read from its own plan (`localPlan`: the ports, rules and task counts the
 * supervisor starts from) and the resolved config, so the picture of the local run cannot drift
 * from the run. Paths are relative to the config's folder.
 */
export interface LocalTopology {
  readonly app: string;
  /** `process`, `podman`, `docker`, or `container` (podman if installed, else docker: decided at `up`). */
  readonly engine: string;
  /** `<app>.localhost`: browsers and curl resolve every `*.localhost` name to the loopback address. */
  readonly domain: string;
  readonly edge: {
    readonly httpPort: number;
    readonly httpsPort: number;
    /** In the edge's (and the ALB's) order of evaluation, with the ALB's priorities. */
    readonly rules: readonly {
      readonly priority: number;
      readonly host: string;
      readonly paths: readonly string[];
      readonly service: string;
    }[];
    /** The local certificate authority that signs the edge's certificate. */
    readonly caCertFile: string;
  };
  readonly services: readonly LocalService[];
  /** Declared calls (`services.<id>.calls`), as the caller reaches the callee. */
  readonly calls: readonly {
    readonly from: string;
    readonly to: string;
    readonly variable: string;
    readonly address: string;
  }[];
  /**
   * How an undeclared call ends: the process engine answers 403, podman's per-service networks
   * leave the name unresolved, docker's one network lets it through.
   */
  readonly undeclaredCalls: 'answered 403' | 'no such host' | 'not refused';
  readonly secretsFile: string;
  readonly environmentFile: string;
  readonly logs: string;
  /** Tables the config declares: not created locally; in AWS each service that may use one gets `variable`. */
  readonly tables: readonly { readonly name: string; readonly variable: string }[];
  /** Parts of the deployment with no local counterpart, and what stands in for them. */
  readonly awsOnly: readonly string[];
}

export interface LocalService {
  readonly id: string;
  readonly port: number;
  readonly desired: number;
  readonly healthCheckPath: string;
  /** How a task starts: `node dist/server.js in backend/`, or the image and its limits. */
  readonly runs: string;
  /** Where a task listens: `127.0.0.1:<free port> (PORT)`, or the container port and its published one. */
  readonly taskAddress: string;
  /** The Service Connect stand-in other services call it by. */
  readonly discovery: string;
  readonly secrets: readonly { readonly variable: string; readonly key: string }[];
  readonly tables: readonly {
    readonly name: string;
    readonly access: 'read' | 'readwrite';
    readonly variable: string;
  }[];
}

const FREE = '<free port>';

export function localTopologyFrom(config: ResolvedConfig, plan: LocalPlan): LocalTopology {
  const rel = (p: string) => path.relative(config.baseDir, p) || '.';
  const paths = statePaths(config.baseDir);
  const processEngine = plan.engine === 'process';
  const discovery = new Map(
    plan.services.map(({ service, discoveryPort }) => [
      service.id,
      processEngine
        ? `127.0.0.1:${discoveryPort === 0 ? FREE : discoveryPort}`
        : `${service.id}:${service.port}`,
    ]),
  );
  const { rules, fallback } = plan.edge.rules;
  const runs = (s: ResolvedService) => {
    if (processEngine)
      return s.local
        ? `${s.local.command.join(' ')} in ${rel(s.local.cwd)}/`
        : 'no local.command: the process engine cannot start it';
    const image =
      s.image.kind === 'build'
        ? `image built from ${rel(s.image.context)}/${s.image.file}`
        : `image ${s.image.ref}`;
    return `${image}\nread-only, user ${s.user}, ${taskSize(s.cpu, s.memory)} limits`;
  };
  return {
    app: config.app,
    engine: plan.engine === 'container' ? 'container (podman, else docker)' : plan.engine,
    domain: plan.edge.rules.domain,
    edge: {
      httpPort: plan.edge.httpPort,
      httpsPort: plan.edge.httpsPort,
      rules: [
        ...rules.map((r, i) => ({ priority: (i + 1) * 10, ...r })),
        ...(fallback
          ? [
              {
                priority: (rules.length + 1) * 10,
                host: plan.edge.rules.domain,
                paths: [],
                service: fallback,
              },
            ]
          : []),
      ],
      caCertFile: rel(paths.caCert),
    },
    services: plan.services.map(({ service: s, desired }) => ({
      id: s.id,
      port: s.port,
      desired,
      healthCheckPath: s.healthCheck.path,
      runs: runs(s),
      taskAddress: processEngine
        ? `127.0.0.1:${FREE} each (PORT)`
        : `container :${s.port}, published on 127.0.0.1:${FREE}`,
      discovery: discovery.get(s.id)!,
      secrets: Object.entries(s.secrets).map(([variable, ref]) => ({
        variable,
        key: ref.kind === 'secretsManager' && ref.field ? `${ref.name} (field ${ref.field})` : ref.name,
      })),
      tables: s.permissions.map((p) => ({
        name: p.table,
        access: p.access,
        variable: names.tableEnv(p.table),
      })),
    })),
    calls: config.services.flatMap((caller) =>
      caller.calls.map((callee) => ({
        from: caller.id,
        to: callee,
        variable: discoveryVariable(callee),
        // The process engine gives each caller its own listener per callee, on a free port.
        address: processEngine ? `127.0.0.1:${FREE}` : discovery.get(callee)!,
      })),
    ),
    undeclaredCalls: processEngine
      ? 'answered 403'
      : plan.engine === 'podman'
        ? 'no such host'
        : 'not refused',
    secretsFile: rel(paths.secrets),
    environmentFile: rel(paths.environment),
    logs: `${rel(paths.logs)}/<task>.log`,
    tables: config.tables.map((name) => ({ name, variable: names.tableEnv(name) })),
    awsOnly: [
      `Route 53 records: *.localhost names instead`,
      `ACM certificate: the local CA's`,
      `VPC, subnets, egress (${config.network.egress}): this machine's network`,
      ...(config.waf ? ['WAF web ACL: nothing filters requests'] : []),
      'CloudWatch Logs: a file per task',
      'ECR: images stay local',
    ],
  };
}
