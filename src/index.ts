// The public surface of berth as a library: config helpers and the typed core commands.
export * from './config/index.ts';
