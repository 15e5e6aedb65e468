import type { ImageModel } from '../model.ts';
import { compliant, type ImageRule, type RuleOutcome } from './rule.ts';

/**
 * The image runs as a numeric, non-root user. Only a number lets ECS (Security Hub ECS.20) and
 * Kubernetes (runAsNonRoot) prove that before starting it; a name needs the image's /etc/passwd.
 */
export const ImageNonRootUser: ImageRule = {
  id: 'ImageNonRootUser',
  level: 'error',
  description: 'The image sets USER to a numeric uid other than 0.',
  fix: 'Add `USER 1000:1000` (the uid in the config, services.<id>.user) to the final stage.',
  evaluate: (image) => check(image),
};

function check(image: ImageModel): RuleOutcome {
  const user = image.config.user.trim();
  const fail = (message: string): RuleOutcome => ({ status: 'non-compliant', problems: [{ message }] });
  if (user === '') return fail('no USER: the container runs as root');
  const [name = ''] = user.split(':');
  if (/^\d+$/.test(name)) return Number(name) === 0 ? fail(`USER ${user} is root`) : compliant;
  const uid = uidOf(image, name);
  if (uid === 0 || name === 'root') return fail(`USER ${user} is root`);
  if (uid === undefined)
    return fail(`USER ${user} is not in /etc/passwd, so nothing can tell whether it is root`);
  return fail(`USER ${user} is a name; use the number (${uid}) so the platform can verify it is not root`);
}

function uidOf(image: ImageModel, name: string): number | undefined {
  const passwd = image.texts.get('/etc/passwd') ?? '';
  for (const line of passwd.split('\n')) {
    const [entry, , uid] = line.split(':');
    if (entry === name && uid !== undefined && /^\d+$/.test(uid)) return Number(uid);
  }
  return undefined;
}
