import { taskSize } from './dot.ts';
import { mermaidId as id, mermaidLabel as label } from './syntax.ts';
import type { Topology } from './topology.ts';

/** The same topology as `toDot`, as a Mermaid flowchart for pasting into Markdown. */
export function toMermaid(t: Topology): string {
  const out: string[] = ['flowchart LR', `  internet((Internet))`];
  const node = (key: string, text: string, shape: 'box' | 'db' | 'note' = 'box') =>
    out.push(
      `    ${id(key)}${shape === 'db' ? `[(${label(text)})]` : shape === 'note' ? `>${label(text)}]` : `[${label(text)}]`}`,
    );
  const edge = (from: string, to: string, text?: string, style: '-->' | '-.->' = '-->') =>
    out.push(
      `  ${from === 'internet' ? 'internet' : id(from)} ${style}${text ? `|${label(text)}|` : ''} ${id(to)}`,
    );
  const subgraph = (key: string, title: string, body: () => void) => {
    out.push(`  subgraph ${id(key)}[${label(title)}]`);
    body();
    out.push('  end');
  };

  subgraph('dns', 'Route 53', () => {
    for (const r of t.records) node(`record:${r.name}`, `${r.type} ${r.name}`);
  });
  subgraph('alb', `Application Load Balancer (${t.loadBalancer.scheme})`, () => {
    for (const l of t.loadBalancer.listeners)
      node(
        `listener:${l.id}`,
        `${l.protocol} :${l.port}${l.redirect ? `\n${l.redirect}` : ''}${l.defaultResponse ? `\n${l.defaultResponse}` : ''}`,
      );
    if (t.loadBalancer.waf) node('waf', `WAF web ACL\n${t.loadBalancer.waf.rules.join('\n')}`);
  });
  for (const tg of t.targetGroups)
    node(`tg:${tg.id}`, `target group :${tg.port}\nhealth ${tg.healthCheckPath}`);
  subgraph('vpc', `VPC ${t.vpcCidr}`, () => {
    for (const az of [...new Set(t.subnets.map((s) => s.az))].sort()) {
      subgraph(`az${az}`, `AZ ${az + 1}`, () => {
        for (const s of t.subnets.filter((x) => x.az === az)) {
          node(`subnet:${s.id}`, `${s.name} subnet\n${s.cidr}`);
          for (const n of t.nats.filter((x) => x.subnet === s.id)) node(`nat:${n.id}`, n.label);
        }
      });
    }
    node('igw', 'Internet gateway');
    if (t.interfaceEndpoints.length > 0)
      node('endpoints', `interface endpoints (each AZ)\n${t.interfaceEndpoints.join(', ')}`);
    if (t.gatewayEndpoints.length > 0)
      node('gateway-endpoints', `gateway endpoints\n${t.gatewayEndpoints.join(', ')}`);
  });
  subgraph('ecs', `ECS cluster${t.namespace ? `, Service Connect namespace ${t.namespace}` : ''}`, () => {
    for (const s of t.services)
      node(
        `service:${s.id}`,
        [
          `${s.id} (${s.name})`,
          `${taskSize(s.cpu, s.memory)}, ${s.architecture}`,
          `${s.desired} task${s.desired === 1 ? '' : 's'}${s.publicIp ? ', public IPs' : ''}`,
          ...s.connectNames.map((n) => `Service Connect ${n}`),
        ].join('\n'),
      );
  });
  subgraph('data', 'Images, data and secrets', () => {
    for (const repo of t.repositories) node(`repo:${repo}`, `ECR ${repo}`);
    for (const table of t.tables) node(`table:${table}`, `DynamoDB ${table}`, 'db');
    for (const secret of [...new Set(t.services.flatMap((s) => s.secrets))])
      node(`secret:${secret}`, secret, 'note');
  });

  for (const r of t.records) edge('internet', `record:${r.name}`, 'DNS', '-.->');
  for (const l of t.loadBalancer.listeners) {
    edge('internet', `listener:${l.id}`, `:${l.port}`);
    for (const r of l.rules)
      edge(
        `listener:${l.id}`,
        `tg:${r.target}`,
        `rule ${r.priority}: ${[...r.hosts.map((h) => `host ${h}`), ...r.paths.map((p) => `path ${p}`)].join(', ')}`,
      );
    if (l.defaultTarget) edge(`listener:${l.id}`, `tg:${l.defaultTarget}`, 'default');
  }
  for (const s of t.services) {
    for (const tg of s.targetGroups) edge(`tg:${tg}`, `service:${s.id}`, 'forward');
    for (const subnet of s.subnets) edge(`service:${s.id}`, `subnet:${subnet}`, 'tasks in', '-.->');
    for (const b of t.services.slice(t.services.indexOf(s) + 1))
      out.push(`  ${id(`service:${s.id}`)} <-.->|"Service Connect"| ${id(`service:${b.id}`)}`);
    if (s.repository) edge(`repo:${s.repository}`, `service:${s.id}`, 'image', '-.->');
    for (const table of s.tables) edge(`service:${s.id}`, `table:${table.name}`, table.access);
    for (const secret of s.secrets) edge(`secret:${secret}`, `service:${s.id}`, 'secret', '-.->');
  }
  for (const n of t.nats) edge(`nat:${n.id}`, 'igw', 'egress');
  for (const subnet of [...new Set(t.services.flatMap((s) => s.subnets))]) {
    if (t.subnets.find((s) => s.id === subnet)?.kind === 'Public')
      edge(`subnet:${subnet}`, 'igw', 'egress (public IPs)');
    else {
      for (const n of t.nats) edge(`subnet:${subnet}`, `nat:${n.id}`, 'egress');
      if (t.interfaceEndpoints.length > 0) edge(`subnet:${subnet}`, 'endpoints', 'AWS APIs');
    }
  }
  out.push(`  igw --- internet`);
  return `${out.join('\n')}\n`;
}
