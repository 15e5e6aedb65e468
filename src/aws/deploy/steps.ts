import type { ResolvedConfig } from '../../config/index.ts';
import type { AwsNotify } from '../events.ts';

export interface PublishedImage {
  readonly service: string;
  readonly repositoryUri: string;
  readonly tag: string;
  readonly digest: string /* sha256:... */;
  readonly pushed: boolean;
}
export type FailOn = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'NONE';
export interface ScanFinding {
  readonly service: string;
  readonly severity: string;
  readonly name: string /* CVE */;
  readonly packageName?: string;
  readonly packageVersion?: string;
  readonly fixedIn?: string;
}
export interface ScanGateResult {
  readonly blocked: boolean;
  readonly findings: readonly ScanFinding[];
}
export interface VerifyTarget {
  readonly service: string;
  readonly url: string;
}
export interface VerifyResult {
  readonly ok: boolean;
  readonly checks: readonly {
    service: string;
    url: string;
    status?: number;
    attempts: number;
    ok: boolean;
    error?: string;
    ms: number;
  }[];
}
export interface DeploySteps {
  publishImages(o: {
    config: ResolvedConfig;
    services?: readonly string[];
    engine?: 'podman' | 'docker';
    notify: AwsNotify;
    signal?: AbortSignal;
  }): Promise<readonly PublishedImage[]>;
  gateOnScans(o: {
    config: ResolvedConfig;
    images: readonly PublishedImage[];
    failOn: FailOn;
    notify: AwsNotify;
    timeoutMs?: number;
  }): Promise<ScanGateResult>;
  verifyDeployment(o: {
    targets: readonly VerifyTarget[];
    attempts?: number;
    intervalMs?: number;
    ca?: string /* PEM, tests */;
    notify: AwsNotify;
  }): Promise<VerifyResult>;
}
