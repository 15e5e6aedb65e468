import type { ServiceConfig } from '../config/index.ts';

/** What a service is to the load balancer: the apex host, the `api.` host, or not routed at all. */
export type ServiceRole = 'frontend' | 'api' | 'internal';

/** One line of what `berth init` decided or could not carry over, naming the key it is about. */
export interface ReportLine {
  /** Where it came from: a compose key (`services.api.volumes`) or a folder (`api/`). */
  readonly key: string;
  /** `mapped`: carried over (maybe changed); `not-mapped`: left out, with why; `database`: a managed AWS service instead. */
  readonly kind: 'mapped' | 'not-mapped' | 'database';
  readonly message: string;
}

/** A file `berth init` would write, relative to the project folder. */
export interface PlannedFile {
  readonly path: string;
  readonly contents: string;
  /** Appended to an existing file (`.gitignore`) instead of created. */
  readonly append?: boolean;
}

/** A service found in the project, before the questions: what it is and why berth thinks so. */
export interface FoundService {
  /** The service id in the config (a-z, 0-9, '-'). */
  readonly id: string;
  /** The fields of the config's service, without `route` (the questions decide it). */
  readonly config: Omit<ServiceConfig, 'route'>;
  /** A comment for each field of `config`: why this value. */
  readonly why: Readonly<Partial<Record<keyof ServiceConfig, string>>>;
  /** What the service looks like, for guessing the frontend and the `api.` host. */
  readonly looks: 'frontend' | 'api' | 'unknown';
  /** Files to add to the service's folder (berth's hardened Containerfile), if offered. */
  readonly offered: readonly PlannedFile[];
}

/** Everything found in the project: services, local secrets to stub, and what was not carried over. */
export interface Discovery {
  /** Where the services came from: `folders` (Containerfiles, package.json) or the compose file's path. */
  readonly source: string;
  readonly services: readonly FoundService[];
  /** Secret names (SSM parameter names) the local secrets file needs, with a placeholder each. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly report: readonly ReportLine[];
}
