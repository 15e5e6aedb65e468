// `berth init`: a config for an existing project, from its folders or its compose file.
export { initProject, type InitOptions, type InitQuestions, type InitResult } from './init.ts';
export type { ReportLine, ServiceRole } from './model.ts';
export { readCompose } from './compose/parse.ts';
export { mapCompose } from './compose/map.ts';
export { scanFolders } from './scan.ts';
