import { BankopsError, errorMessage } from '../errors/index.js';
import type { Booster } from './booster.js';

/**
 * The trees of a binary:logistic gbtree model, flattened into typed arrays and walked in JavaScript.
 *
 * Why: XGBoost's in-place prediction spends ~75 µs per call on this machine parsing its JSON arguments
 * and setting up a proxy matrix, while walking ~100 trees for one row takes a few µs. Serving scores one
 * record per request, so this fast path is for small batches; XGBoost's library stays the reference: a
 * model is only compiled when it reproduces the library's predictions (see `compileVerified`).
 *
 * Semantics follow XGBoost 1.7's CPU predictor: a missing value (NaN) goes to the default child,
 * otherwise `value < split_condition` goes left; the margin starts at the base score's logit and adds
 * each tree's leaf in float32, in tree order; the probability is the sigmoid of the margin.
 */
export class CompiledTrees {
  private constructor(
    private readonly roots: Int32Array,
    private readonly left: Int32Array,
    private readonly right: Int32Array,
    private readonly feature: Int32Array,
    private readonly condition: Float32Array,
    private readonly defaultLeft: Uint8Array,
    private readonly baseMargin: number,
    readonly numFeatures: number,
  ) {}

  /** From the model as XGBoost saves it in JSON; throws for anything but numeric splits. */
  static fromModelJson(model: unknown): CompiledTrees {
    const learner = (model as { learner?: XgbLearner }).learner;
    const objective = learner?.objective?.name;
    const booster = learner?.gradient_booster;
    if (objective !== 'binary:logistic' || booster?.name !== 'gbtree' || !booster.model) {
      throw unsupported(`objective ${objective ?? '?'} with booster ${booster?.name ?? '?'}`);
    }
    const trees = booster.model.trees;
    const numFeatures = Number(learner?.learner_model_param?.num_feature);
    const baseScore = Number(learner?.learner_model_param?.base_score);
    if (!(baseScore > 0 && baseScore < 1) || !Number.isInteger(numFeatures)) {
      throw unsupported(`base score ${baseScore} / ${numFeatures} features`);
    }
    const total = trees.reduce((n, t) => n + t.left_children.length, 0);
    const roots = new Int32Array(trees.length);
    const left = new Int32Array(total);
    const right = new Int32Array(total);
    const feature = new Int32Array(total);
    const condition = new Float32Array(total);
    const defaultLeft = new Uint8Array(total);
    let offset = 0;
    trees.forEach((tree, t) => {
      if (tree.split_type?.some((type) => type !== 0)) throw unsupported('categorical splits');
      roots[t] = offset;
      for (let n = 0; n < tree.left_children.length; n += 1) {
        const l = tree.left_children[n] as number;
        left[offset + n] = l === -1 ? -1 : offset + l;
        right[offset + n] = l === -1 ? -1 : offset + (tree.right_children[n] as number);
        feature[offset + n] = tree.split_indices[n] as number;
        // a leaf keeps its value in split_conditions
        condition[offset + n] = tree.split_conditions[n] as number;
        defaultLeft[offset + n] = tree.default_left[n] ? 1 : 0;
      }
      offset += tree.left_children.length;
    });
    const baseMargin = Math.fround(-Math.log(1 / baseScore - 1));
    return new CompiledTrees(roots, left, right, feature, condition, defaultLeft, baseMargin, numFeatures);
  }

  /** Probabilities for `rows` row-major rows of `numFeatures` float32 values (NaN = missing). */
  predict(data: Float32Array, rows: number): Float32Array {
    const cols = this.numFeatures;
    if (data.length !== rows * cols) {
      throw new BankopsError('DATA_INVALID', `expected ${rows}×${cols} values, got ${data.length}`);
    }
    const { roots, left, right, feature, condition, defaultLeft } = this;
    const out = new Float32Array(rows);
    for (let r = 0; r < rows; r += 1) {
      const base = r * cols;
      let margin = this.baseMargin;
      for (let t = 0; t < roots.length; t += 1) {
        let n = roots[t] as number;
        while ((left[n] as number) !== -1) {
          const value = data[base + (feature[n] as number)] as number;
          const goLeft = Number.isNaN(value) ? defaultLeft[n] === 1 : value < (condition[n] as number);
          n = (goLeft ? left[n] : right[n]) as number;
        }
        margin = Math.fround(margin + (condition[n] as number));
      }
      out[r] = Math.fround(1 / (1 + Math.exp(-margin)));
    }
    return out;
  }
}

/** Largest difference from the library's probabilities the compiled trees may show (float32 rounding). */
export const PARITY_TOLERANCE = 1e-6;

/**
 * Compiles the booster's trees and checks them against the library on `rows` (row-major), returning
 * undefined (with the reason) when the model is not supported or any prediction differs.
 */
export function compileVerified(
  booster: Booster,
  rows: Float32Array,
  count: number,
): { compiled?: CompiledTrees; reason?: string } {
  let compiled: CompiledTrees;
  try {
    compiled = CompiledTrees.fromModelJson(JSON.parse(booster.saveModel('json').toString('utf8')));
  } catch (error) {
    return { reason: errorMessage(error) };
  }
  const expected = booster.inplacePredict(rows, count);
  const actual = compiled.predict(rows, count);
  for (let i = 0; i < count; i += 1) {
    const gap = Math.abs((expected[i] as number) - (actual[i] as number));
    if (!(gap <= PARITY_TOLERANCE)) {
      return { reason: `row ${i}: compiled ${actual[i]} vs library ${expected[i]}` };
    }
  }
  return { compiled };
}

interface XgbTree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: Array<number | boolean>;
  split_type?: number[];
}

interface XgbLearner {
  objective?: { name?: string };
  learner_model_param?: { num_feature?: string; base_score?: string };
  gradient_booster?: { name?: string; model?: { trees: XgbTree[] } };
}

function unsupported(what: string): BankopsError {
  return new BankopsError('XGBOOST_FAILED', `compiled trees do not support ${what}`);
}
