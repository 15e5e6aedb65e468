/**
 * Test-only rewrite of a synthesized template so moto's CloudFormation can create it.
 * moto lacks some resource types; each rewrite below replaces exactly one of them and
 * keeps everything the test reads back (listeners, rules, target groups, records, ECR,
 * logs) as synthesized. docs/testing.md lists these rewrites.
 */
export interface MotoStandIns {
  /** ARN of a certificate that already exists in moto's ACM, used for the HTTPS listener. */
  readonly certificateArn: string;
  /** moto makes up its own hosted zone ids (not starting with Z, which real ones do): map ours to it. */
  readonly hostedZone: { readonly from: string; readonly to: string };
}

type Template = {
  Resources: Record<string, any>;
  Parameters?: Record<string, any>;
  Outputs?: Record<string, any>;
};

/** Resource types moto's CloudFormation cannot create, and what stands in for their Ref / GetAtt. */
const UNSUPPORTED: Record<
  string,
  (id: string, stand: MotoStandIns) => { ref: unknown; attrs: Record<string, unknown> }
> = {
  // ACM certificates: stands in a certificate imported into moto's ACM beforehand.
  'AWS::CertificateManager::Certificate': (_id, stand) => ({ ref: stand.certificateArn, attrs: {} }),
  // Cloud Map namespaces (Service Connect): a fixed ARN; moto's ECS records but does not resolve it.
  'AWS::ServiceDiscovery::HttpNamespace': (id) => ({
    ref: `ns-${id.slice(0, 12).toLowerCase()}`,
    attrs: {
      Arn: `arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-${id.slice(0, 12).toLowerCase()}`,
      Id: `ns-${id.slice(0, 12).toLowerCase()}`,
    },
  }),
  // CDK's custom resource that closes the default security group runs a Lambda; moto cannot run it.
  'Custom::VpcRestrictDefaultSG': () => ({ ref: 'restricted', attrs: {} }),
};

export function forMoto(template: Template, stand: MotoStandIns): Template {
  const t = structuredClone(template);
  const replaced = new Map<string, { ref: unknown; attrs: Record<string, unknown> }>();
  for (const [id, resource] of Object.entries(t.Resources)) {
    const make = UNSUPPORTED[resource.Type];
    if (make) {
      replaced.set(id, make(id, stand));
      delete t.Resources[id];
    }
  }
  // The Lambda behind the removed custom resource, and its role, go with it.
  for (const id of Object.keys(t.Resources)) {
    if (id.startsWith('CustomVpcRestrictDefaultSGCustomResourceProvider')) {
      replaced.set(id, { ref: id, attrs: { Arn: `arn:aws:iam::123456789012:role/${id}` } });
      delete t.Resources[id];
    }
  }
  // An SSM-typed AMI parameter: moto has no public AMI parameters; the AMI id goes in as a
  // literal (a parameter with a default breaks moto's UpdateStack with UsePreviousValue).
  for (const [name, param] of Object.entries(t.Parameters ?? {})) {
    if (String(param.Type).startsWith('AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>')) {
      replaced.set(name, { ref: 'ami-12c6146b', attrs: {} });
      delete t.Parameters![name];
    }
  }
  const rewrite = (node: any): any => {
    if (node === stand.hostedZone.from) return stand.hostedZone.to;
    if (Array.isArray(node)) return node.map(rewrite);
    if (node && typeof node === 'object') {
      if (typeof node.Ref === 'string' && replaced.has(node.Ref)) return replaced.get(node.Ref)!.ref;
      if (Array.isArray(node['Fn::GetAtt']) && replaced.has(node['Fn::GetAtt'][0])) {
        return replaced.get(node['Fn::GetAtt'][0])!.attrs[node['Fn::GetAtt'][1]];
      }
      const out: any = {};
      for (const [k, v] of Object.entries(node)) {
        if (k === 'DependsOn') {
          const deps = [v].flat().filter((d: any) => !replaced.has(d));
          if (deps.length > 0) out[k] = deps;
        } else out[k] = rewrite(v);
      }
      return out;
    }
    return node;
  };
  return rewrite(t);
}
