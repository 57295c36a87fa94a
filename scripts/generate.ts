import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateTypes } from '../topics/codegen.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const target = path.join(root, 'src', 'kafka', 'generated', 'types.ts');
writeFileSync(target, generateTypes(root));
process.stdout.write(`wrote ${path.relative(root, target)}\n`);
