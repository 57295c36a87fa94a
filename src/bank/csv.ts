import { BankopsError } from '../errors/index.js';
import { COLUMNS, isIntegerColumn, type BankRecord } from './columns.js';
import { BANK_ADDITIONAL_COLUMNS, layoutOf } from './layouts.js';
import { checkRecord } from './validate.js';

/**
 * Parses the UCI `bank-full.csv` format: `;`-separated, header and strings in double quotes, numbers bare,
 * LF line ends. Refuses the whole file at the first problem, naming the line and column, so that nothing
 * of a bad file is ever published.
 */
export function parseBankCsv(text: string): BankRecord[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const headerLine = lines[0];
  if (headerLine === undefined || headerLine.trim() === '') {
    throw new BankopsError('DATA_INVALID', 'line 1: the file is empty');
  }
  if (!headerLine.includes(';')) {
    throw new BankopsError('DATA_INVALID', 'line 1: no ";" separator in the header', {
      hint: 'The UCI file is semicolon-separated; is this a comma-separated export?',
    });
  }
  const header = splitLine(headerLine);
  const expected = COLUMNS.join(';');
  if (layoutOf(splitLine(headerLine.replace(/\r$/, ''))) === 'bank-additional') {
    throw new BankopsError(
      'DATA_INVALID',
      `line 1: this header is UCI's "bank-additional" layout (bank-additional-full.csv: ${BANK_ADDITIONAL_COLUMNS.length} columns with day_of_week and the economic indicators, no balance or day); bankops reads the "bank" layout of bank-full.csv (${COLUMNS.length} columns)`,
      {
        hint: `Use bank-full.csv from the same UCI archive (bank.zip inside bank+marketing.zip; bin/bankops data download extracts it), whose header is ${expected}`,
      },
    );
  }
  if (header.join(';') !== expected) {
    const at = COLUMNS.findIndex((c, i) => header[i] !== c);
    throw new BankopsError(
      'DATA_INVALID',
      `line 1, column ${at + 1}: header has "${header[at] ?? '(nothing)'}" where "${COLUMNS[at] ?? '(end)'}" belongs`,
      { hint: `Expected the header ${expected}` },
    );
  }
  const records: BankRecord[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const cells = splitLine(line);
    if (cells.length !== COLUMNS.length) {
      throw new BankopsError(
        'DATA_INVALID',
        `line ${lineNo}: ${cells.length} fields where ${COLUMNS.length} belong`,
      );
    }
    const record: Record<string, unknown> = {};
    COLUMNS.forEach((column, c) => {
      const cell = cells[c] ?? '';
      record[column] = isIntegerColumn(column) && /^-?\d+$/.test(cell) ? Number(cell) : cell;
    });
    const problem = checkRecord(record);
    if (problem) {
      throw new BankopsError('DATA_INVALID', `line ${lineNo}, column "${problem.column}": ${problem.reason}`);
    }
    records.push(record as BankRecord);
  }
  return records;
}

function splitLine(line: string): string[] {
  return line
    .split(';')
    .map((cell) => (cell.startsWith('"') && cell.endsWith('"') ? cell.slice(1, -1) : cell));
}
