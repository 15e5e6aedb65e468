/**
 * Reading berth's synthesized CloudFormation offline, for every part that reasons about the template
 * rather than the config (the reachability check, the diagram): one resolver, so they agree on what
 * a reference points at.
 *
 * A resource's properties: free-form JSON whose every field may be a literal or an intrinsic, so
 * readers take them field by field and resolve each through the Resolver.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Props = Record<string, any>;

/** The parts of a CloudFormation template berth reads back. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Props;
}

export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

/** What the template's pseudo parameters stand for: synth pins the account and region. */
export interface TemplateEnv {
  readonly account: string;
  readonly region: string;
}

/**
 * Resolves the intrinsics berth's templates use (Ref, Fn::GetAtt, Fn::Join, Fn::Sub without
 * variables map) to strings. A resource's Ref stands for its logical id unless it has a name
 * property, so two references to one resource compare equal; ARNs are built the way AWS forms them.
 */
export class Resolver {
  constructor(
    readonly template: CfnTemplate,
    readonly env: TemplateEnv,
  ) {}

  resource(id: string): CfnResource | undefined {
    return this.template.Resources[id];
  }

  /** Logical ids of every resource of one type. */
  ofType(type: string): string[] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id)
      .sort();
  }

  /** The logical id a Ref or Fn::GetAtt points at, or undefined for anything else. */
  target(value: unknown): string | undefined {
    if (!value || typeof value !== 'object') return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) return v.Ref;
    const att = v['Fn::GetAtt'];
    if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
    if (typeof att === 'string') return att.split('.')[0];
    return undefined;
  }

  /** A value as a string, or undefined when it cannot be known offline. */
  str(value: unknown): string | undefined {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (!value || typeof value !== 'object') return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return this.ref(v.Ref);
    if (v['Fn::GetAtt'] !== undefined) {
      const att = v['Fn::GetAtt'];
      const [id, attr] = Array.isArray(att) ? att : String(att).split('.');
      return this.getAtt(String(id), String(attr));
    }
    const join = v['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1])) {
      const parts = (join[1] as unknown[]).map((p) => this.str(p));
      return parts.some((p) => p === undefined) ? undefined : parts.join(String(join[0]));
    }
    const sub = v['Fn::Sub'];
    if (typeof sub === 'string') {
      let unknown = false;
      const out = sub.replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
        const [id, attr] = name.split('.');
        const r = attr ? this.getAtt(id!, attr) : this.ref(id!);
        if (r === undefined) unknown = true;
        return r ?? '';
      });
      return unknown ? undefined : out;
    }
    return undefined;
  }

  /** A list property whose items may each be intrinsics. */
  strs(value: unknown): string[] {
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => this.str(v)).filter((v): v is string => v !== undefined);
  }

  /** Logical ids of a list of Refs/GetAtts. */
  targets(value: unknown): string[] {
    if (value === undefined) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.map((v) => this.target(v)).filter((v): v is string => v !== undefined);
  }

  private ref(name: string): string | undefined {
    switch (name) {
      case 'AWS::AccountId':
        return this.env.account;
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
      case 'AWS::StackId':
      case 'AWS::NoValue':
        return undefined;
    }
    const r = this.resource(name);
    if (!r) return undefined;
    const p = r.Properties ?? {};
    const named =
      p.TableName ?? p.LogGroupName ?? p.Name ?? p.BucketName ?? p.ServiceName ?? p.ClusterName ?? undefined;
    return typeof named === 'string' ? named : name;
  }

  private getAtt(id: string, attr: string): string | undefined {
    const r = this.resource(id);
    if (!r) return undefined;
    const { account, region } = this.env;
    const name = this.ref(id)!;
    if (attr === 'CidrBlock' && r.Type === 'AWS::EC2::VPC') return this.str(r.Properties?.CidrBlock);
    if (attr === 'GroupId') return id;
    if (attr !== 'Arn') return `${id}.${attr}`;
    switch (r.Type) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${region}:${account}:key/${id}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${account}:role/${name}`;
      default:
        return `arn:aws:cloudformation:${region}:${account}:resource/${id}`;
    }
  }
}
