import { describe, filesNamed, outcomeOf, type ImageRule, type Problem } from './rule.ts';

const PACKAGE_MANAGERS = new Set([
  'apt',
  'apt-get',
  'dpkg',
  'apk',
  'yum',
  'dnf',
  'microdnf',
  'rpm',
  'zypper',
  'npm',
  'npx',
  'yarn',
  'pnpm',
  'corepack',
]);
/** npm and friends can also hide as packages without a bin link. */
const PACKAGE_MANAGER_PACKAGES = /\/node_modules\/(npm|corepack|yarn|pnpm)\/package\.json$/;

/** A package manager lets an intruder install tools; a runtime image installs nothing. */
export const ImageNoPackageManager: ImageRule = {
  id: 'ImageNoPackageManager',
  level: 'error',
  description: 'The image contains no package manager (apt, dpkg, apk, yum, npm, npx, ...).',
  fix: 'Install dependencies in the build stage (or bundle them) and copy only the result into a distroless final stage.',
  evaluate: (image) => {
    const problems: Problem[] = filesNamed(image, PACKAGE_MANAGERS).map((f) => ({
      path: f.path,
      message: `package manager ${f.path} (${describe(f)})`,
    }));
    for (const file of image.files.values()) {
      if (PACKAGE_MANAGER_PACKAGES.test(file.path)) {
        const dir = file.path.slice(0, -'/package.json'.length);
        problems.push({ path: dir, message: `package manager package ${dir}` });
      }
    }
    return outcomeOf(problems);
  },
};
