import { compressedSize } from '../model.ts';
import { compliant, type ImageRule } from './rule.ts';

/**
 * The compressed image fits the service's budget (services.<id>.image.maxSizeMB). Size is pull
 * time on every task start and scaling event, and storage in every registry. An error: a budget
 * is something the user wrote into the config, and one that a check only mentions is no budget;
 * raising maxSizeMB is the deliberate way past it.
 */
export const ImageSizeBudget: ImageRule = {
  id: 'ImageSizeBudget',
  level: 'error',
  description: 'The compressed image is within its size budget.',
  fix: 'Bundle the app, ship only production files, and use a smaller runtime base; or raise image.maxSizeMB.',
  evaluate: (image, { budgetBytes }) => {
    if (budgetBytes === undefined)
      return { status: 'not-applicable', reason: 'no budget set (image.maxSizeMB)' };
    const size = compressedSize(image);
    return size <= budgetBytes
      ? compliant
      : {
          status: 'non-compliant',
          problems: [
            {
              message: `${megabytes(size)} MB compressed, over the ${megabytes(budgetBytes)} MB budget by ${megabytes(size - budgetBytes)} MB`,
            },
          ],
        };
  },
};

export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
