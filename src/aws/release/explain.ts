import type { ReleaseApi, ServiceDeploymentView } from './api.ts';

/**
 * Why ECS rolled a release back, one sentence per cause, with the numbers: each triggered alarm with
 * CloudWatch's reason (datapoints against the threshold), and each verify request that failed, from
 * the verifier hook's log. ECS's own reason when neither says more.
 */
export async function explainRollback(
  api: ReleaseApi,
  d: ServiceDeploymentView,
  sinceMs: number,
): Promise<string[]> {
  const why: string[] = [];
  const triggered = d.alarms?.triggered ?? [];
  if (triggered.length > 0) {
    const alarms = await api.alarms(triggered).catch(() => []);
    for (const name of triggered) {
      const alarm = alarms.find((a) => a.name === name);
      why.push(`alarm ${name}${alarm?.reason ? `: ${alarm.reason}` : ' went to ALARM'}`);
    }
  }
  if (d.hooks.some((h) => h.status === 'FAILED' || h.status === 'TIMED_OUT') && d.targetRevision) {
    const records = await api.verifierRecords(d.targetRevision, sinceMs).catch(() => []);
    const failed = records.flatMap((r) => (r.results ?? []).filter((x) => x.problem));
    if (failed.length > 0)
      for (const r of failed)
        why.push(
          `verify ${r.method} ${r.path} through the test listener: ${r.problem}${r.ms !== undefined ? ` (${r.ms} ms)` : ''}`,
        );
    else
      why.push(
        `the verifier hook ${d.hooks.some((h) => h.status === 'TIMED_OUT') ? 'timed out' : 'failed'} and logged no results for this revision`,
      );
  }
  if (why.length === 0)
    why.push(d.rollbackReason ?? d.statusReason ?? `ECS ended the deployment as ${d.status}`);
  return why;
}
