export {
  firedAlarms,
  percentile,
  ResponseLog,
  windowCounts,
  type FiredAlarm,
  type ResponseSample,
} from './alarms.ts';
export { shiftSteps } from './plan.ts';
export {
  release,
  ReleaseFailedError,
  type ReleaseHost,
  type ReleaseTimings,
  type ShiftingStrategy,
} from './release.ts';
export { cohortOf, TrafficSplit, type Cohort } from './traffic-split.ts';
