export { OutdirNotEmptyError } from './errors.ts';
export { synth, type SynthOptions, type SynthResult } from './synth.ts';
export { names } from './naming.ts';
