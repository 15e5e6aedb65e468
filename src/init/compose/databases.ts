/**
 * Databases and caches in a compose file are not Fargate services: on AWS they are managed services
 * with backups, patching and failover. berth's config has no field for them yet, so `berth init`
 * names the managed service and leaves the connection to a secret.
 */
const MANAGED: readonly { readonly image: RegExp; readonly aws: string }[] = [
  {
    image: /(^|\/)(postgres|postgis\/postgis|bitnami\/postgresql)(:|@|$)/,
    aws: 'Amazon RDS for PostgreSQL (or Aurora PostgreSQL)',
  },
  { image: /(^|\/)(mysql|bitnami\/mysql)(:|@|$)/, aws: 'Amazon RDS for MySQL (or Aurora MySQL)' },
  { image: /(^|\/)(mariadb|bitnami\/mariadb)(:|@|$)/, aws: 'Amazon RDS for MariaDB' },
  { image: /(^|\/)(mongo|bitnami\/mongodb)(:|@|$)/, aws: 'Amazon DocumentDB (MongoDB-compatible)' },
  {
    image: /(^|\/)(redis|valkey\/valkey|bitnami\/redis)(:|@|$)/,
    aws: 'Amazon ElastiCache (Valkey or Redis OSS)',
  },
];

/** The managed AWS service a database or cache image maps to, or undefined for anything else. */
export function managedService(image: string): string | undefined {
  const name = image.replace(/^docker\.io\/(library\/)?/, '');
  return MANAGED.find((m) => m.image.test(name))?.aws;
}
