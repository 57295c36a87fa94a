/**
 * The OpenAPI document tells the truth: schemathesis (every check: schema-valid requests accepted,
 * schema-violating ones refused, responses, status codes, content types and headers as declared, 405 with
 * `Allow` for undeclared methods, auth not ignored) against a real serving process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, servingFixture } from './helpers/serving.js';
import { killServingProcesses, startServingProcess, type ServingProcess } from './helpers/serving-process.js';
import { runTool, testTool } from './helpers/test-tools.js';

let server: ServingProcess;

beforeAll(async () => {
  server = await startServingProcess(await servingFixture());
});

afterAll(() => killServingProcesses());

describe('the OpenAPI document', () => {
  it('passes schemathesis with all checks on every operation', async () => {
    const { code, output } = await runTool(
      testTool('schemathesis'),
      [
        'run',
        `${server.url}/openapi.json`,
        '--checks',
        'all',
        // enough for the coverage phase and ~50 fuzzed cases per operation: about 30 s on two cores
        '--max-examples',
        '50',
        '--workers',
        '2',
        '--header',
        `Authorization: Bearer ${API_KEY}`,
        '--output-truncate',
        'false',
      ],
      150_000,
    );
    expect(code, output).toBe(0);
    expect(output).toMatch(/No issues found/);
  }, 180_000);
});
