import type { ResolvedConfig } from '../../config/index.ts';
import type { AwsNotify } from '../events.ts';

/**
 * The seam between the CloudFormation side of `berth deploy` (deploy.ts) and the image and
 * verification steps (src/aws/images/publish.ts, src/aws/images/scan-gate.ts, src/aws/verify.ts).
 * `deploy()` takes these steps injected; the CLI passes the real ones (default-steps.ts).
 */
export interface PublishedImage {
  readonly service: string;
  readonly repositoryUri: string;
  readonly tag: string;
  /** sha256:... */
  readonly digest: string;
  readonly pushed: boolean;
}

export type FailOn = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'NONE';

export interface ScanFinding {
  readonly service: string;
  readonly severity: string;
  /** CVE */
  readonly name: string;
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
  /** `--images-from STAGE`: the digests STAGE runs, checked in ECR, instead of publishImages. */
  promoteImages(o: {
    config: ResolvedConfig;
    from: string;
    notify: AwsNotify;
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
    /** PEM, tests */
    ca?: string;
    /** `host:port` to connect to instead of each URL's host (tests; see src/aws/verify.ts). */
    connectTo?: string;
    notify: AwsNotify;
  }): Promise<VerifyResult>;
}
