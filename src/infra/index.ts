export { synth, type SynthOptions, type SynthResult } from './synth.ts';
export { names } from './naming.ts';
export { CONTROL_TOWER_EXCEPTIONS } from './control-tower.ts';
