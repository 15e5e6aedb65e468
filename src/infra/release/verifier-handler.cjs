'use strict';
// berth's release verifier, an ECS lifecycle hook (docs/releases.md). Inlined into the Lambda at
// synth: CommonJS, no dependencies beyond the Node.js runtime and its bundled AWS SDK.
// BERTH_VERIFY = {"<service name>": {"origin": "https://host:8443", "requests": [{method, path, status, bodyContains?}]}}

const TIMEOUT_MS = 5000;

async function check(origin, request) {
  const started = Date.now();
  const result = { method: request.method, path: request.path, expected: request.status };
  try {
    const res = await fetch(origin + request.path, {
      method: request.method,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = request.method === 'HEAD' ? '' : await res.text();
    result.status = res.status;
    result.ms = Date.now() - started;
    if (res.status !== request.status) result.problem = `answered ${res.status}, expected ${request.status}`;
    else if (request.bodyContains !== undefined && !body.includes(request.bodyContains))
      result.problem = `body lacks ${JSON.stringify(request.bodyContains)}`;
  } catch (err) {
    result.ms = Date.now() - started;
    result.problem = `no answer: ${(err.cause && err.cause.code) || err.name || String(err)}`;
  }
  return result;
}

/** Runs one service's requests in order; the outcome ECS reads, and the lines the log keeps. */
async function verify(target) {
  const results = [];
  for (const request of target.requests) results.push(await check(target.origin, request));
  const failed = results.filter((r) => r.problem);
  return { hookStatus: failed.length === 0 ? 'SUCCEEDED' : 'FAILED', results };
}

/** The first deployment of a service has no blue to protect and its DNS name may not exist yet. */
async function isFirstDeployment(serviceArn) {
  const { ECSClient, ListServiceDeploymentsCommand } = await import('@aws-sdk/client-ecs');
  const cluster = serviceArn.split('/').slice(-2, -1)[0];
  const out = await new ECSClient({}).send(
    new ListServiceDeploymentsCommand({ service: serviceArn, cluster, maxResults: 2 }),
  );
  return (out.serviceDeployments || []).length <= 1;
}

async function run(event, env, firstDeployment) {
  const details = event.executionDetails || {};
  const name = String(details.serviceArn || '')
    .split('/')
    .pop();
  const target = JSON.parse(env.BERTH_VERIFY || '{}')[name];
  if (!target) {
    console.log(JSON.stringify({ service: name, problem: 'no verify requests for this service' }));
    return { hookStatus: 'FAILED' };
  }
  if (await firstDeployment(details.serviceArn)) {
    console.log(JSON.stringify({ service: name, skipped: 'first deployment' }));
    return { hookStatus: 'SUCCEEDED' };
  }
  const outcome = await verify(target);
  console.log(JSON.stringify({ service: name, revision: details.targetServiceRevisionArn, ...outcome }));
  return { hookStatus: outcome.hookStatus };
}

exports.verify = verify;
exports.run = run;
exports.handler = (event) => run(event, process.env, isFirstDeployment);
