import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDiagram, localGraph, type Graph } from '../../src/diagram/index.ts';
import { localTopologyFrom } from '../../src/diagram/local-topology.ts';
import { edgeRules, localPlan, route, type LocalPlanOptions } from '../../src/local/index.ts';
import { cruddur } from '../fixtures.ts';
import { threeServices } from './configs.ts';

const graphOf = (config = cruddur(), options: LocalPlanOptions = {}) =>
  localGraph(localTopologyFrom(config, localPlan(config, options)));
const label = (g: Graph, id: string) => g.nodes.find((n) => n.id === id)?.label;
const edgesFrom = (g: Graph, from: string) =>
  g.edges.filter((e) => e.from === from).map((e) => `${e.to} ${e.label ?? ''}`.trim());

describe('berth diagram --local', () => {
  it("draws the reference config's local run: edge ports, host rules, services, Service Connect stand-ins, what stays in AWS", () => {
    const g = graphOf();
    expect(g.title).toBe("cruddur on this machine: berth up --engine process (from the run's plan)");
    expect(label(g, 'listener:http')).toBe('HTTP 127.0.0.1:8080\nredirect HTTPS:8443 (301)');
    expect(label(g, 'listener:https')).toBe('HTTPS 127.0.0.1:8443\ndefault: fixed 404');
    expect(label(g, 'names')).toBe(
      'cruddur.localhost, *.cruddur.localhost\nresolve to 127.0.0.1 (no DNS records)',
    );
    // The ALB's rules and priorities, with the domain replaced.
    expect(edgesFrom(g, 'listener:https')).toEqual([
      'tg:backend rule 10: host api.cruddur.localhost',
      'tg:frontend rule 20: host cruddur.localhost',
    ]);
    expect(label(g, 'tg:backend')).toBe('target group backend\ntargets :4567\nhealth /api/health-check');
    expect(label(g, 'service:backend')).toBe(
      'backend\nnode dist/server.js in backend/\n1 task, 127.0.0.1:<free port> each (PORT)',
    );
    expect(label(g, 'service:frontend')).toContain('node dist-server/server.js in frontend/');
    expect(label(g, 'discovery:backend')).toBe('Service Connect stand-in for backend\n127.0.0.1:4567');
    expect(label(g, 'discovery:frontend')).toBe('Service Connect stand-in for frontend\n127.0.0.1:3000');
    expect(edgesFrom(g, 'tg:frontend')).toEqual(['service:frontend forward']);
    expect(edgesFrom(g, 'discovery:backend')).toEqual(['tg:backend healthy tasks']);
    // The table is the deployment's only: the backend's edge to it says so, and the node says how to use one.
    expect(edgesFrom(g, 'service:backend')).toEqual([
      'table:activities readwrite (in AWS; ACTIVITIES_TABLE unset)',
    ]);
    expect(g.nodes.find((n) => n.id === 'table:activities')?.cluster).toBe('aws');
    expect(label(g, 'aws-only')).toContain('VPC, subnets, egress (nat-instance)');
    expect(label(g, 'aws-only')).not.toContain('WAF');
    // No calls declared: no service reaches another.
    expect(g.edges.filter((e) => e.from.startsWith('service:') && e.to.startsWith('discovery:'))).toEqual([]);
  });

  it("every rule drawn is the edge's own: routing a request to the drawn host reaches the drawn service", () => {
    const config = cruddur(threeServices);
    const rules = edgeRules(config);
    const g = graphOf(config);
    const drawn = g.edges.filter((e) => e.from === 'listener:https');
    expect(drawn).toHaveLength(3);
    for (const e of drawn) {
      const [, host, path] = /host (\S+?)(?:, path (\S+))?$/.exec(e.label!)!;
      expect(route(rules, `${host}:8443`, path?.replace('*', 'x') ?? '/'), e.label).toBe(e.to.slice(3));
    }
  });

  it("follows up's flags: a container engine's networks, other edge ports, --scale", () => {
    const g = graphOf(cruddur(threeServices), {
      engine: 'podman',
      httpPort: 9080,
      httpsPort: 9443,
      scale: { backend: 3 },
    });
    expect(label(g, 'listener:http')).toBe('HTTP 127.0.0.1:9080\nredirect HTTPS:9443 (301)');
    expect(label(g, 'service:backend')).toBe(
      'backend\nimage built from backend/Containerfile\nread-only, user 1000, 0.25 vCPU / 0.5 GB limits\n3 tasks, container :4567, published on 127.0.0.1:<free port>',
    );
    expect(label(g, 'service:admin')).toContain('2 tasks');
    expect(label(g, 'discovery:admin')).toBe('Service Connect stand-in for admin\nadmin:8080');
    // The declared call, by the variable and name the caller gets.
    expect(edgesFrom(g, 'service:backend')).toContain('discovery:admin SERVICE_ADMIN_URL\nadmin:8080');
    // podman's networks, one per service, leave an undeclared callee's name unresolved; docker's one network does not.
    expect(g.clusters.find((c) => c.id === 'discovery')?.label).toContain('undeclared: no such host');
    const docker = graphOf(cruddur(threeServices), { engine: 'docker' });
    expect(docker.clusters.find((c) => c.id === 'discovery')?.label).toContain('not refused');
    // Both secrets come from the one local file, by the names the config gives.
    expect(label(g, 'secret:/cruddur/backend/DB_PASSWORD')).toBe(
      '.berth/secrets.local.json\nkey /cruddur/backend/DB_PASSWORD',
    );
    expect(edgesFrom(g, 'secret:cruddur/api-key')).toEqual(['service:backend API_KEY']);
    expect(label(g, 'aws-only')).toContain('WAF web ACL');
  });

  it('draws a declared call through its own listener with the process engine, and free ports (0, --discovery-ports free)', () => {
    const g = graphOf(cruddur(threeServices), { discoveryPorts: 'free', httpPort: 0, httpsPort: 0 });
    expect(label(g, 'listener:http')).toBe('HTTP 127.0.0.1:<free port>\nredirect HTTPS:<free port> (301)');
    expect(edgesFrom(g, 'service:backend')).toContain(
      'discovery:admin SERVICE_ADMIN_URL\n127.0.0.1:<free port>',
    );
    expect(label(g, 'discovery:admin')).toBe('Service Connect stand-in for admin\n127.0.0.1:<free port>');
    expect(g.clusters.find((c) => c.id === 'discovery')?.label).toContain('undeclared calls answered 403');
  });

  it('renders as DOT, Mermaid and SVG with every node and edge', async () => {
    const config = cruddur(threeServices);
    const g = graphOf(config);
    const dot = (await localDiagram(config, 'dot')).text;
    const mermaid = (await localDiagram(config, 'mermaid')).text;
    const svg = (await localDiagram(config, 'svg')).text;
    expect(dot.match(/ -> /g)).toHaveLength(g.edges.length);
    expect(mermaid.match(/ (?:-->|-\.->)/g)).toHaveLength(g.edges.length);
    const declared = new Set([...mermaid.matchAll(/^\s+(\w+)(?:\[|\(\(|>)/gm)].map((m) => m[1]));
    for (const [, from, to] of mermaid.matchAll(/^\s+(\w+) (?:-->|-\.->)(?:\|[^|]*\|)? (\w+)$/gm)) {
      expect(declared, from).toContain(from);
      expect(declared, to).toContain(to);
    }
    expect(svg).toMatch(/<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const text of [
      'HTTPS 127.0.0.1:8443',
      'rule 10: host admin.cruddur.localhost, path /admin/*',
      'SERVICE_ADMIN_URL',
    ])
      expect(svg).toContain(text);
  });

  it('the picture in docs/local.md is the one the command draws now', async () => {
    // Regenerate with: npx berth diagram --local --config examples/cruddur/berth.config.ts --out docs/diagrams/cruddur-local.svg
    const docs = path.resolve(import.meta.dirname, '../../docs');
    expect(readFileSync(path.join(docs, 'diagrams/cruddur-local.svg'), 'utf8')).toBe(
      (await localDiagram(cruddur(), 'svg')).text,
    );
    expect(readFileSync(path.join(docs, 'local.md'), 'utf8')).toContain('](diagrams/cruddur-local.svg)');
  });
});
