import { webcrypto } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
// @peculiar/x509 needs a Reflect metadata polyfill loaded before it (its README says so).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { localDomain } from '../edge/rules.ts';
import type { StatePaths } from '../state/state-dir.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Browsers cap server certificates at 398 days; stay under it and renew a month before the end. */
const LEAF_DAYS = 397;
const RENEW_BEFORE_MS = 30 * DAY_MS;

export interface EdgeCertificate {
  readonly key: string;
  readonly cert: string;
  /** The local certificate authority a browser must trust once. */
  readonly caCertFile: string;
  /** True when this call created the authority: the moment to tell the user how to trust it. */
  readonly caCreated: boolean;
}

/** Host names the edge answers on: `<app>.localhost`, every name under it, and localhost itself. */
function edgeHostNames(app: string): string[] {
  return [localDomain(app), `*.${localDomain(app)}`, 'localhost'];
}

/**
 * Returns the edge's key and certificate, creating a local certificate authority (kept for 10 years,
 * so that it is trusted once) and a server certificate signed by it when they are missing, expiring
 * or do not cover the app's names.
 */
export async function ensureEdgeCertificate(paths: StatePaths, app: string): Promise<EdgeCertificate> {
  let caCreated = false;
  if (!existsSync(paths.caKey) || !existsSync(paths.caCert)) {
    await createAuthority(paths, app);
    caCreated = true;
  }
  const caCert = new x509.X509Certificate(readFileSync(paths.caCert, 'utf8'));
  const caKey = await importKey(readFileSync(paths.caKey, 'utf8'));
  if (caCreated || !leafIsUsable(paths, caCert, app)) await createLeaf(paths, app, caCert, caKey);
  return {
    key: readFileSync(paths.edgeKey, 'utf8'),
    cert: readFileSync(paths.edgeCert, 'utf8'),
    caCertFile: paths.caCert,
    caCreated,
  };
}

async function createAuthority(paths: StatePaths, app: string): Promise<void> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=berth local CA for ${app}, O=berth (this machine only)`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeFileSync(paths.caKey, await exportKey(keys.privateKey), { mode: 0o600 });
  writeFileSync(paths.caCert, cert.toString('pem'));
}

async function createLeaf(
  paths: StatePaths,
  app: string,
  caCert: x509.X509Certificate,
  caKey: CryptoKey,
): Promise<void> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${localDomain(app)}`,
    issuer: caCert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + LEAF_DAYS * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...edgeHostNames(app).map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  writeFileSync(paths.edgeKey, await exportKey(keys.privateKey), { mode: 0o600 });
  writeFileSync(paths.edgeCert, `${cert.toString('pem')}\n${caCert.toString('pem')}\n`);
}

function leafIsUsable(paths: StatePaths, caCert: x509.X509Certificate, app: string): boolean {
  if (!existsSync(paths.edgeKey) || !existsSync(paths.edgeCert)) return false;
  try {
    const leaf = new x509.X509Certificate(readFileSync(paths.edgeCert, 'utf8'));
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
    const names = new Set(san?.names.items.map((n) => n.value) ?? []);
    return (
      leaf.issuer === caCert.subject &&
      leaf.notAfter.getTime() - Date.now() > RENEW_BEFORE_MS &&
      edgeHostNames(app).every((n) => names.has(n))
    );
  } catch {
    return false;
  }
}

/** How to make this machine's browsers and tools trust the local authority, per platform. */
export function trustCommands(caCertFile: string, app: string): string[] {
  if (process.platform === 'darwin')
    return [
      `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${caCertFile}`,
    ];
  if (process.platform === 'win32') return [`certutil -addstore -user Root ${caCertFile}`];
  return [
    `sudo cp ${caCertFile} /usr/local/share/ca-certificates/berth-${app}.crt && sudo update-ca-certificates`,
    `certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n berth-${app} -i ${caCertFile}   # Chromium and Firefox (libnss3-tools)`,
  ];
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(pem)[0]!, ALGORITHM, true, ['sign']);
}
