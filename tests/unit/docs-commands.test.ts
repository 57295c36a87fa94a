import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Every `bankops <command> [<subcommand>]` a document names, as word pairs. */
function namedCommands(file: string): Array<[string, string | undefined]> {
  const text = readFileSync(path.join(root, file), 'utf8');
  const found = new Map<string, [string, string | undefined]>();
  // commands are written `bin/bankops …` or `` `bankops …` ``; prose ("bankops is …") is not a command
  for (const match of text.matchAll(/(?:bin\/bankops|`bankops) ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/g)) {
    const command = match[1] as string;
    found.set(`${command} ${match[2] ?? ''}`, [command, match[2]]);
  }
  return [...found.values()];
}

function find(program: Command, name: string): Command | undefined {
  return program.commands.find((c) => c.name() === name);
}

describe('the documentation', () => {
  const program = buildProgram();
  for (const file of ['README.md', 'docs/guide.ko.md', 'docs/architecture.md']) {
    it(`names only commands the CLI has (${file})`, () => {
      const named = namedCommands(file);
      expect(named.length).toBeGreaterThan(0);
      for (const [command, sub] of named) {
        const found = find(program, command);
        expect(found, `bankops ${command} (${file})`).toBeDefined();
        // a second word is a subcommand only where the command has subcommands
        if (sub && found && found.commands.length > 0) {
          expect(find(found, sub), `bankops ${command} ${sub} (${file})`).toBeDefined();
        }
      }
    });
  }
});
