import type { ServiceDeploymentView } from './api.ts';

/** Where a traffic-shifting release stands, in the words berth shows. */
export type ReleasePhase =
  | 'starting'
  | 'test-traffic'
  | 'shifting'
  | 'baking'
  | 'cleaning-up'
  | 'done'
  | 'rolling-back'
  | 'rolled-back'
  | 'rollback-failed'
  | 'stopped';

export interface ReleaseProgress {
  readonly phase: ReleasePhase;
  /** The new version's share of production traffic, in %, when ECS reports it. */
  readonly productionPercent?: number;
  /** One line: `test traffic on green, verifying`, `shifting: 10% of production on green`. */
  readonly text: string;
}

const STAGE_PHASE: Record<string, ReleasePhase> = {
  RECONCILE_SERVICE: 'starting',
  PRE_SCALE_UP: 'starting',
  SCALE_UP: 'starting',
  POST_SCALE_UP: 'starting',
  TEST_TRAFFIC_SHIFT: 'test-traffic',
  POST_TEST_TRAFFIC_SHIFT: 'test-traffic',
  PRODUCTION_TRAFFIC_SHIFT: 'shifting',
  POST_PRODUCTION_TRAFFIC_SHIFT: 'shifting',
  BAKE_TIME: 'baking',
  CLEAN_UP: 'cleaning-up',
};

/** One ECS service deployment as a release phase and a line to show (ECS lifecycle stages). */
export function releaseProgress(d: ServiceDeploymentView): ReleaseProgress {
  const percent = d.productionPercent;
  const split = percent === undefined ? '' : ` (${percent}% of production on green)`;
  switch (d.status) {
    case 'SUCCESSFUL':
      return {
        phase: 'done',
        ...pct(percent),
        text: 'done: green serves all traffic, blue stopped',
      };
    case 'ROLLBACK_REQUESTED':
    case 'ROLLBACK_IN_PROGRESS':
      return { phase: 'rolling-back', ...pct(percent), text: `rolling back to blue${split}` };
    case 'ROLLBACK_SUCCESSFUL':
      return {
        phase: 'rolled-back',
        ...pct(percent),
        text: 'rolled back: blue serves all traffic again',
      };
    case 'ROLLBACK_FAILED':
      return {
        phase: 'rollback-failed',
        ...pct(percent),
        text: 'rollback failed: see berth status',
      };
    case 'STOPPED':
    case 'STOP_REQUESTED':
      return { phase: 'stopped', ...pct(percent), text: 'stopped' };
  }
  const phase = (d.lifecycleStage && STAGE_PHASE[d.lifecycleStage]) || 'starting';
  const tasks =
    d.runningTasks !== undefined && d.requestedTasks !== undefined
      ? `: ${d.runningTasks}/${d.requestedTasks} green tasks running`
      : '';
  const text = {
    starting: `starting green${tasks}`,
    'test-traffic': 'test traffic on green, verifying through the test listener',
    shifting: `shifting: ${percent ?? '?'}% of production on green`,
    baking: `baking: ${percent ?? 100}% of production on green, rollback alarms watched`,
    'cleaning-up': 'cleaning up: stopping blue',
  }[phase as 'starting' | 'test-traffic' | 'shifting' | 'baking' | 'cleaning-up'];
  return { phase, ...pct(percent), text };
}

const pct = (percent: number | undefined) => (percent === undefined ? {} : { productionPercent: percent });
