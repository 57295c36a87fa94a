import { encodeRows, type RawRecord } from '../../src/features/index.js';
import type { LoadedBundle } from '../../src/training/index.js';
import { mulberry32 } from '../../src/training/split.js';
import { compileVerified, type CompiledTrees } from '../../src/xgboost/index.js';

/** Rows the compiled trees must reproduce before they may answer: spread over the training distribution. */
const PARITY_ROWS = 512;

/**
 * Records drawn from the bundle's training reference: numeric columns at random deciles (and extremes),
 * categories by their training frequency, so the check walks the branches real traffic takes.
 */
export function parityRecords(bundle: LoadedBundle, count = PARITY_ROWS, seed = 17): RawRecord[] {
  const random = mulberry32(seed);
  const features = Object.entries(bundle.meta.reference.features.features);
  return Array.from({ length: count }, () => {
    const record: Record<string, string | number> = { ...bundle.meta.reference.features.referenceRow };
    for (const [column, ref] of features) {
      if (ref.kind === 'numeric') {
        const points = [ref.min, ...ref.deciles, ref.max];
        record[column] = points[Math.floor(random() * points.length)] as number;
      } else {
        const categories = Object.keys(ref.fractions);
        if (categories.length > 0)
          record[column] = categories[Math.floor(random() * categories.length)] as string;
      }
    }
    return record;
  });
}

/**
 * The bundle's trees compiled for small requests, when they reproduce the library's predictions on
 * the reference row and `parityRecords`; otherwise undefined and the library scores everything.
 */
export function compileForServing(bundle: LoadedBundle): { compiled?: CompiledTrees; reason?: string } {
  const records = [bundle.meta.reference.features.referenceRow, ...parityRecords(bundle)];
  const encoded = encodeRows(bundle.spec, records);
  return compileVerified(bundle.booster, encoded.data, encoded.rows);
}
