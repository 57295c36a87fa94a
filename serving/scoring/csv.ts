import { BankopsError } from '../../src/errors/index.js';

/**
 * A small RFC 4180 reader for MLflow's text/csv input (pandas `to_csv` output): comma-separated, fields
 * optionally in double quotes with "" for a quote, CRLF or LF line ends. The first row is the header.
 */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
    i += 1;
  }
  if (quoted)
    throw new BankopsError('DATA_INVALID', 'csv: a quoted field is not closed', {
      details: { field: 'body' },
    });
  if (field !== '' || row.length > 0) endRow();
  const [header, ...data] = rows;
  if (header === undefined) {
    throw new BankopsError('DATA_INVALID', 'csv: the body is empty; expected a header row and data rows', {
      details: { field: 'body', reason: 'empty' },
    });
  }
  return { header: header.map((h) => h.trim()), rows: data };
}
