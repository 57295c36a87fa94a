import { describe, expect, it } from 'vitest';
import { parseBankCsv } from '../../src/bank/csv.js';
import { COLUMNS } from '../../src/bank/columns.js';
import { checkRecord } from '../../src/bank/validate.js';
import type { BankopsError } from '../../src/errors/index.js';
import { readBundledDataset } from '../../src/data/index.js';

const header =
  '"age";"job";"marital";"education";"default";"balance";"housing";"loan";"contact";"day";"month";"duration";"campaign";"pdays";"previous";"poutcome";"y"';
const row =
  '58;"management";"married";"tertiary";"no";2143;"yes";"no";"unknown";5;"may";261;1;-1;0;"unknown";"no"';

describe('parseBankCsv', () => {
  it('parses the whole UCI file: 45,211 typed rows, 5,289 subscribed', async () => {
    const text = (await readBundledDataset()).toString('utf8');
    const records = parseBankCsv(text);
    expect(records).toHaveLength(45_211);
    expect(records.filter((r) => r.y === 'yes')).toHaveLength(5_289);
    expect(records[0]).toMatchObject({ age: 58, job: 'management', balance: 2143, pdays: -1, y: 'no' });
  });

  it('refuses a comma-separated file at line 1', () => {
    expect(() => parseBankCsv(`${header.replaceAll(';', ',')}\n`)).toThrow(/line 1: no ";" separator/);
  });

  it('names the first wrong header column', () => {
    expect(() => parseBankCsv(`${header.replace('"job"', '"occupation"')}\n${row}\n`)).toThrow(
      /line 1, column 2: header has "occupation" where "job" belongs/,
    );
  });

  it('names the line and column of a value of the wrong type', () => {
    const bad = row.replace('2143', '"lots"');
    expect(() => parseBankCsv(`${header}\n${row}\n${bad}\n`)).toThrow(
      /line 3, column "balance": expected an integer/,
    );
  });

  it("recognizes UCI's bank-additional layout and names the file bankops reads instead", () => {
    const additional =
      '"age";"job";"marital";"education";"default";"housing";"loan";"contact";"month";"day_of_week";"duration";"campaign";"pdays";"previous";"poutcome";"emp.var.rate";"cons.price.idx";"cons.conf.idx";"euribor3m";"nr.employed";"y"';
    const additionalRow =
      '56;"housemaid";"married";"basic.4y";"no";"no";"no";"telephone";"may";"mon";261;1;999;0;"nonexistent";1.1;93.994;-36.4;4.857;5191;"no"';
    for (const eol of ['\n', '\r\n']) {
      const error = (() => {
        try {
          parseBankCsv(`${additional}${eol}${additionalRow}${eol}`);
        } catch (e) {
          return e as BankopsError;
        }
        throw new Error('accepted a bank-additional file');
      })();
      expect(error.code).toBe('DATA_INVALID');
      expect(error.message).toMatch(
        /^line 1: this header is UCI's "bank-additional" layout \(bank-additional-full\.csv/,
      );
      expect(error.message).toMatch(/bankops reads the "bank" layout of bank-full\.csv \(17 columns\)/);
      expect(error.hint).toContain(`whose header is ${COLUMNS.join(';')}`);
    }
    // another header that is neither layout keeps the column-by-column message
    expect(() => parseBankCsv(`${additional.replace('"euribor3m";', '')}\n`)).toThrow(
      /line 1, column 6: header has "housing" where "balance" belongs/,
    );
  });

  it('names an out-of-domain category and a short line', () => {
    expect(() => parseBankCsv(`${header}\n${row.replace('"may"', '"mai"')}\n`)).toThrow(
      /line 2, column "month"/,
    );
    expect(() => parseBankCsv(`${header}\n58;"management"\n`)).toThrow(/line 2: 2 fields where 17 belong/);
  });
});

describe('checkRecord', () => {
  it('accepts a scoring record without y only when asked to', () => {
    const record = {
      age: 30,
      job: 'student',
      marital: 'single',
      education: 'tertiary',
      default: 'no',
      balance: 10,
      housing: 'no',
      loan: 'no',
      contact: 'cellular',
      day: 3,
      month: 'jun',
      duration: 100,
      campaign: 1,
      pdays: -1,
      previous: 0,
      poutcome: 'unknown',
    };
    expect(checkRecord(record)).toEqual({ column: 'y', reason: 'missing' });
    expect(checkRecord(record, false)).toBeUndefined();
    expect(checkRecord({ ...record, age: 12 }, false)).toEqual({
      column: 'age',
      reason: '12 is outside 18..95',
    });
  });
});
