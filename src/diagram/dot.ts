import { attrs, dotHeader, q } from './syntax.ts';
import type { Topology } from './topology.ts';

const COLORS = {
  edge: '#fff4e5',
  network: '#eef5ff',
  public: '#e6f4ea',
  private: '#f3f0ff',
  compute: '#ffffff',
  data: '#fdf2f8',
} as const;

/** vCPU and memory as people say them: `0.25 vCPU / 0.5 GB`. */
export function taskSize(cpu: number, memory: number): string {
  return `${cpu / 1024} vCPU / ${memory / 1024} GB`;
}

/** The topology as a Graphviz digraph, left to right from the internet to the data. */
export function toDot(t: Topology): string {
  const out: string[] = [];
  const node = (id: string, a: Record<string, string | number>) => out.push(`  ${q(id)} ${attrs(a)};`);
  const edge = (from: string, to: string, a: Record<string, string | number> = {}) =>
    out.push(`  ${q(from)} -> ${q(to)}${Object.keys(a).length ? ` ${attrs(a)}` : ''};`);
  const cluster = (id: string, label: string, fill: string, body: () => void) => {
    out.push(
      `  subgraph ${q(`cluster_${id}`)} {`,
      `  label=${q(label)}; style="rounded,filled"; fillcolor=${q(fill)}; color="#9aa5b1";`,
    );
    body();
    out.push('  }');
  };

  out.push(...dotHeader(`${t.app} on ECS Fargate, ${t.region} (from the synthesized templates)`));
  node('internet', { label: 'Internet', shape: 'ellipse', fillcolor: '#ffffff' });

  cluster('dns', 'Route 53', COLORS.edge, () => {
    for (const r of t.records) node(`record:${r.name}`, { label: `${r.type} ${r.name}\nalias to the ALB` });
  });
  for (const r of t.records) edge('internet', `record:${r.name}`, { style: 'dashed', label: 'DNS' });

  cluster('alb', `Application Load Balancer (${t.loadBalancer.scheme})`, COLORS.edge, () => {
    for (const l of t.loadBalancer.listeners)
      node(`listener:${l.id}`, {
        label: `${l.protocol} :${l.port}${l.redirect ? `\n${l.redirect}` : ''}${l.defaultResponse ? `\n${l.defaultResponse}` : ''}`,
      });
    if (t.loadBalancer.waf)
      node('waf', {
        label: `WAF web ACL\n${t.loadBalancer.waf.rules.join('\n')}`,
        shape: 'box',
        fillcolor: '#fff',
      });
  });
  for (const l of t.loadBalancer.listeners) {
    edge('internet', `listener:${l.id}`, { label: `:${l.port}` });
    if (t.loadBalancer.waf && l.protocol === 'HTTPS')
      edge('waf', `listener:${l.id}`, { style: 'dotted', arrowhead: 'none', label: 'inspects' });
    for (const r of l.rules)
      edge(`listener:${l.id}`, `tg:${r.target}`, {
        label: `rule ${r.priority}: ${[...r.hosts.map((h) => `host ${h}`), ...r.paths.map((p) => `path ${p}`)].join(', ')}`,
      });
    if (l.defaultTarget) edge(`listener:${l.id}`, `tg:${l.defaultTarget}`, { label: 'default' });
  }
  for (const r of t.records) {
    const https = t.loadBalancer.listeners.find((l) => l.protocol === 'HTTPS');
    if (https) edge(`record:${r.name}`, `listener:${https.id}`, { style: 'dashed', arrowhead: 'none' });
  }

  const serviceOf = (tg: string) => t.services.find((s) => s.targetGroups.includes(tg));
  for (const tg of t.targetGroups) {
    node(`tg:${tg.id}`, {
      label: `target group ${serviceOf(tg.id)?.id ?? ''}\nIP targets :${tg.port}\nhealth ${tg.healthCheckPath}`,
      fillcolor: COLORS.edge,
    });
  }

  cluster('vpc', `VPC ${t.vpcCidr}`, COLORS.network, () => {
    const azs = [...new Set(t.subnets.map((s) => s.az))].sort();
    for (const az of azs) {
      cluster(`az${az}`, `AZ ${az + 1}`, '#f8fafc', () => {
        for (const s of t.subnets.filter((x) => x.az === az)) {
          node(`subnet:${s.id}`, {
            label: `${s.name} subnet\n${s.cidr}`,
            fillcolor: s.kind === 'Public' ? COLORS.public : COLORS.private,
          });
          for (const n of t.nats.filter((x) => x.subnet === s.id))
            node(`nat:${n.id}`, { label: n.label, fillcolor: COLORS.public });
        }
      });
    }
    node('igw', { label: 'Internet gateway', fillcolor: COLORS.public });
    if (t.interfaceEndpoints.length > 0)
      node('endpoints', {
        label: `interface endpoints (each AZ)\n${t.interfaceEndpoints.join(', ')}`,
        fillcolor: COLORS.private,
      });
    if (t.gatewayEndpoints.length > 0)
      node('gateway-endpoints', {
        label: `gateway endpoints\n${t.gatewayEndpoints.join(', ')}`,
        fillcolor: COLORS.private,
      });
  });
  edge('igw', 'internet', { dir: 'both', label: 'public subnets' });
  for (const n of t.nats) edge(`nat:${n.id}`, 'igw', { label: 'egress' });

  cluster(
    'ecs',
    `ECS cluster${t.namespace ? `, Service Connect namespace ${t.namespace}` : ''}`,
    COLORS.compute,
    () => {
      for (const s of t.services) {
        node(`service:${s.id}`, {
          label: [
            `${s.id} (${s.name})`,
            `${taskSize(s.cpu, s.memory)}, ${s.architecture}`,
            `${s.desired} task${s.desired === 1 ? '' : 's'}${s.publicIp ? ', public IPs' : ''}`,
            ...s.connectNames.map((n) => `Service Connect ${n}`),
          ].join('\n'),
          fillcolor: '#ffffff',
          penwidth: 1.5,
        });
      }
    },
  );
  for (const s of t.services) {
    for (const tg of s.targetGroups) edge(`tg:${tg}`, `service:${s.id}`, { label: 'forward' });
    for (const subnet of s.subnets)
      edge(`service:${s.id}`, `subnet:${subnet}`, { style: 'dashed', arrowhead: 'none', label: 'tasks in' });
  }
  // Service Connect: every service may call every other by the names shown in its box.
  t.services.forEach((a, i) => {
    for (const b of t.services.slice(i + 1))
      edge(`service:${a.id}`, `service:${b.id}`, {
        style: 'dotted',
        dir: 'both',
        label: 'Service Connect',
        constraint: 'false',
      });
  });

  // The egress path of the task subnets.
  const taskSubnets = [...new Set(t.services.flatMap((s) => s.subnets))];
  for (const subnet of taskSubnets) {
    const sub = t.subnets.find((s) => s.id === subnet);
    if (sub?.kind === 'Public') edge(`subnet:${subnet}`, 'igw', { label: 'egress (public IPs)' });
    else {
      for (const n of t.nats) edge(`subnet:${subnet}`, `nat:${n.id}`, { label: 'egress' });
      if (t.interfaceEndpoints.length > 0) edge(`subnet:${subnet}`, 'endpoints', { label: 'AWS APIs' });
    }
  }

  cluster('data', 'Images, data and secrets', COLORS.data, () => {
    for (const repo of t.repositories) node(`repo:${repo}`, { label: `ECR ${repo}`, shape: 'folder' });
    for (const table of t.tables) node(`table:${table}`, { label: `DynamoDB ${table}`, shape: 'cylinder' });
    for (const secret of [...new Set(t.services.flatMap((s) => s.secrets))])
      node(`secret:${secret}`, { label: secret, shape: 'note' });
  });
  for (const s of t.services) {
    if (s.repository) edge(`repo:${s.repository}`, `service:${s.id}`, { style: 'dashed', label: 'image' });
    for (const table of s.tables) edge(`service:${s.id}`, `table:${table.name}`, { label: table.access });
    for (const secret of s.secrets)
      edge(`secret:${secret}`, `service:${s.id}`, { style: 'dashed', label: 'secret' });
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
