import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTypes } from '../../topics/codegen.js';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('types generated from the Avro schemas', () => {
  it('match the committed src/kafka/generated/types.ts (run `npm run generate` after changing a schema)', () => {
    const committed = readFileSync(path.join(root, 'src', 'kafka', 'generated', 'types.ts'), 'utf8');
    expect(committed).toBe(generateTypes(root));
  });
});
