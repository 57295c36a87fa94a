import { describe, expect, it } from 'vitest';
import { javaMajor } from '../../src/stack/util.js';

describe('javaMajor', () => {
  it('reads the major version from `java -version` in both numbering schemes', () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajor('java version "1.8.0_412"')).toBe(8);
    expect(javaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajor('command not found')).toBeUndefined();
  });
});
