import { CfnResource, Lazy } from 'aws-cdk-lib';

/**
 * Drops from `resource`'s DependsOn the resources it already references (Ref or GetAtt), which
 * cfn-lint W3005 reports. CDK turns construct dependencies into DependsOn only while preparing the
 * app, after every construct ran, so the list is computed lazily, in CDK's own order.
 */
export function dropRedundantDependsOn(resource: CfnResource, referenced: readonly CfnResource[]): void {
  resource.addOverride(
    'DependsOn',
    Lazy.list(
      {
        produce: () =>
          resource
            .obtainDependencies()
            .filter((d): d is CfnResource => CfnResource.isCfnResource(d) && !referenced.includes(d))
            .map((d) => d.logicalId)
            .sort(),
      },
      { omitEmpty: true },
    ),
  );
}
