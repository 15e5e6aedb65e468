import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { certificateNames, NAMES_PER_CERTIFICATE } from '../../src/infra/certificate-names.ts';
import { cruddur, synthesize, type Synthesized } from '../fixtures.ts';

/**
 * The reference app with `extra` more services, each routed on its own host `sN`; with
 * `blueGreen`, the backend's release shifts traffic, which adds the 8443 test listener.
 */
function routedHosts(extra: number, options: { blueGreen?: boolean } = {}): Synthesized {
  return synthesize(
    cruddur((c) => {
      for (let i = 1; i <= extra; i++)
        c.services[`service-${i}`] = {
          image: { context: './backend' },
          port: 5000 + i,
          healthCheck: { path: '/' },
          route: { host: `s${i}` },
        };
      if (options.blueGreen) c.services.backend!.release = { strategy: 'blue-green' };
      return c;
    }),
  );
}

type Resource = { Type: string; Properties: Record<string, any> };

function certificates(s: Synthesized): { id: string; names: string[] }[] {
  return Object.entries(s.appJson.Resources as Record<string, Resource>)
    .filter(([, r]) => r.Type === 'AWS::CertificateManager::Certificate')
    .map(([id, r]) => ({
      id,
      names: [r.Properties.DomainName, ...(r.Properties.SubjectAlternativeNames ?? [])],
    }));
}

/** Every certificate each HTTPS listener holds: its default one and those a ListenerCertificate adds. */
function listenerCertificates(s: Synthesized): Record<number, string[]> {
  const resources = s.appJson.Resources as Record<string, Resource>;
  const held: Record<number, string[]> = {};
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::ElasticLoadBalancingV2::Listener' || r.Properties.Protocol !== 'HTTPS') continue;
    const added = Object.values(resources).filter(
      (l) =>
        l.Type === 'AWS::ElasticLoadBalancingV2::ListenerCertificate' && l.Properties.ListenerArn.Ref === id,
    );
    held[r.Properties.Port] = [
      ...r.Properties.Certificates,
      ...added.flatMap((l) => l.Properties.Certificates),
    ].map((c: { CertificateArn: { Ref: string } }) => c.CertificateArn.Ref);
  }
  return held;
}

const EXPECTED_HOSTS = (extra: number) =>
  [
    'cruddur.example.com',
    'api.cruddur.example.com',
    ...Array.from({ length: extra }, (_, i) => `s${i + 1}.cruddur.example.com`),
  ].sort();

describe("certificates for more names than ACM's default quota puts on one", () => {
  it('keeps one certificate, the one the app always had, while the names fit on it', () => {
    const s = routedHosts(NAMES_PER_CERTIFICATE - 2);

    expect(certificates(s)).toEqual([
      { id: expect.stringMatching(/^EdgeCertificate/), names: expect.any(Array) },
    ]);
    expect(certificates(s)[0]!.names.sort()).toEqual(EXPECTED_HOSTS(8));
    s.app.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 0);
  });

  it('spreads 12 names over two certificates, the apex first, each name on exactly one', () => {
    const s = routedHosts(10);

    const [first, second, ...more] = certificates(s);
    expect(more).toEqual([]);
    expect(first!.names).toHaveLength(NAMES_PER_CERTIFICATE);
    expect(first!.names[0]).toBe('cruddur.example.com');
    expect(second!.names).toHaveLength(2);
    expect([...first!.names, ...second!.names].sort()).toEqual(EXPECTED_HOSTS(10));
    s.app.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: second!.names[0],
      ValidationMethod: 'DNS',
      DomainValidationOptions: Match.arrayWith([
        { DomainName: second!.names[0], HostedZoneId: 'Z0123456789CRUDDUR' },
      ]),
    });
  });

  it('changes only the last certificate for a service whose id sorts last (ACM replaces a certificate whose names change)', () => {
    const withHosts = (extra: number) =>
      cruddur((c) => {
        for (let i = 1; i <= extra; i++)
          c.services[`svc-${String(i).padStart(2, '0')}`] = {
            image: { context: './backend' },
            port: 5000 + i,
            healthCheck: { path: '/' },
            // Host names that sort before the others': the services' ids decide, not the names.
            route: { host: `a${100 - i}` },
          };
        return c;
      });
    const before = certificateNames(withHosts(12));
    const after = certificateNames(withHosts(13));

    expect(after[0]).toEqual(before[0]);
    expect([...after[1]!].sort()).toEqual([...before[1]!, 'a87.cruddur.example.com'].sort());
    expect(after[1]![0]).toBe(before[1]![0]);
    expect(after[0]![0]).toBe('cruddur.example.com');
  });

  it('puts every certificate on 443 and on the release test listener, so SNI finds each name on both', () => {
    const s = routedHosts(10, { blueGreen: true });
    const ids = certificates(s).map((c) => c.id);

    expect(ids).toHaveLength(2);
    expect(listenerCertificates(s)).toEqual({ 443: ids, 8443: ids });
  });
});
