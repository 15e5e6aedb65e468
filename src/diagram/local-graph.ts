import type { Graph, GraphEdge, GraphNode } from './graph.ts';
import type { LocalTopology } from './local-topology.ts';

const FILL = {
  edge: '#fff4e5',
  machine: '#eef5ff',
  compute: '#ffffff',
  data: '#fdf2f8',
  awsOnly: '#f3f4f6',
} as const;

/** The local run as a drawing: browser -> edge listeners -> rules -> target groups -> tasks, with Service Connect stand-ins and local files. */
export function localGraph(t: LocalTopology): Graph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const node = (n: GraphNode) => nodes.push(n);
  const edge = (e: GraphEdge) => edges.push(e);
  // Port 0 (`--http-port 0`) is a free port picked when the edge starts listening.
  const http = t.edge.httpPort === 0 ? '<free port>' : String(t.edge.httpPort);
  const https = t.edge.httpsPort === 0 ? '<free port>' : String(t.edge.httpsPort);

  node({ id: 'client', label: 'Browser, curl\n(this machine)', shape: 'ellipse' });
  node({
    id: 'names',
    label: `${t.domain}, *.${t.domain}\nresolve to 127.0.0.1 (no DNS records)`,
    cluster: 'machine',
  });
  edge({ from: 'client', to: 'names', label: 'name', style: 'dashed' });
  node({
    id: 'listener:http',
    label: `HTTP 127.0.0.1:${http}\nredirect HTTPS:${https} (301)`,
    cluster: 'edge',
  });
  node({
    id: 'listener:https',
    label: `HTTPS 127.0.0.1:${https}\ndefault: fixed 404`,
    cluster: 'edge',
  });
  edge({ from: 'client', to: 'listener:http', label: `:${http}` });
  edge({ from: 'client', to: 'listener:https', label: `:${https}` });
  edge({ from: 'listener:http', to: 'listener:https', label: '301', style: 'dotted' });

  for (const r of t.edge.rules)
    edge({
      from: 'listener:https',
      to: `tg:${r.service}`,
      label: `rule ${r.priority}: ${[`host ${r.host}`, ...r.paths.map((p) => `path ${p}`)].join(', ')}`,
    });

  for (const s of t.services) {
    node({
      id: `tg:${s.id}`,
      label: `target group ${s.id}\ntargets :${s.port}\nhealth ${s.healthCheckPath}`,
      fill: FILL.edge,
      cluster: 'edge',
    });
    node({
      id: `service:${s.id}`,
      label: [s.id, s.runs, `${s.desired} task${s.desired === 1 ? '' : 's'}, ${s.taskAddress}`].join('\n'),
      cluster: 'engine',
    });
    edge({ from: `tg:${s.id}`, to: `service:${s.id}`, label: 'forward' });
    node({
      id: `discovery:${s.id}`,
      label: `Service Connect stand-in for ${s.id}\n${s.discovery}`,
      fill: FILL.edge,
      cluster: 'discovery',
    });
    edge({ from: `discovery:${s.id}`, to: `tg:${s.id}`, label: 'healthy tasks', style: 'dashed' });
    for (const secret of s.secrets) {
      const id = `secret:${secret.key}`;
      if (!nodes.some((n) => n.id === id))
        node({ id, label: `${t.secretsFile}\nkey ${secret.key}`, shape: 'note', cluster: 'files' });
      edge({ from: id, to: `service:${s.id}`, label: secret.variable, style: 'dashed' });
    }
    for (const table of s.tables)
      edge({
        from: `service:${s.id}`,
        to: `table:${table.name}`,
        label: `${table.access} (in AWS; ${table.variable} unset)`,
        style: 'dotted',
      });
  }
  for (const c of t.calls)
    edge({ from: `service:${c.from}`, to: `discovery:${c.to}`, label: `${c.variable}\n${c.address}` });

  node({
    id: 'environment',
    label: `${t.environmentFile}\nper-service values, applied last`,
    shape: 'note',
    cluster: 'files',
  });
  node({ id: 'logs', label: `${t.logs}\nstdout and stderr of each task`, shape: 'note', cluster: 'files' });
  for (const table of t.tables)
    node({
      id: `table:${table.name}`,
      label: `DynamoDB ${table.name}\nnot created locally: set ${table.variable}\nin ${t.environmentFile} to use one`,
      shape: 'cylinder',
      fill: FILL.awsOnly,
      cluster: 'aws',
    });
  node({ id: 'aws-only', label: t.awsOnly.join('\n'), shape: 'note', fill: FILL.awsOnly, cluster: 'aws' });

  return {
    title: `${t.app} on this machine: berth up --engine ${t.engine.split(' ')[0]} (from the run's plan)`,
    clusters: [
      { id: 'machine', label: 'This machine', fill: FILL.machine },
      {
        id: 'edge',
        label: `berth edge (the ALB's stand-in), TLS by the local CA ${t.edge.caCertFile}`,
        fill: FILL.edge,
        parent: 'machine',
      },
      { id: 'engine', label: `${t.engine} engine`, fill: FILL.compute, parent: 'machine' },
      {
        id: 'discovery',
        label: {
          'answered 403':
            'Service Connect stand-ins: a listener per caller and callee, undeclared calls answered 403',
          'no such host':
            "Service Connect stand-ins: a network per service, callers on their declared callees' (undeclared: no such host; podman 4 with netavark)",
          'not refused':
            'Service Connect stand-ins: network aliases on one network (undeclared calls are not refused)',
        }[t.undeclaredCalls],
        fill: FILL.machine,
        parent: 'machine',
      },
      {
        id: 'files',
        label: 'Local files (stand-ins for SSM, Secrets Manager, CloudWatch Logs)',
        fill: FILL.data,
        parent: 'machine',
      },
      { id: 'aws', label: 'In AWS only', fill: FILL.awsOnly },
    ],
    nodes,
    edges,
  };
}
