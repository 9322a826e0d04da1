/**
 * An RFC 4180 CSV reader (no CSV library is installed): quoted fields with separators, quotes
 * doubled as `""` and line breaks inside, CRLF or LF line ends, a UTF-8 BOM, a last line with or
 * without a line break. The first row names the columns; every value stays a string, as in Gatling.
 */

export function parseCsvRows(text: string, separator = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // A field that was quoted is kept even when empty; a wholly empty line is not a row.
  let fieldStarted = false;
  const endField = () => {
    row.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRow = () => {
    if (row.length > 0 || field !== '' || fieldStarted) {
      endField();
      rows.push(row);
    }
    row = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (ch === separator) {
      endField();
      fieldStarted = true; // the next field exists even if empty: `a,` is two fields
    } else if (ch === '\r' && text[i + 1] === '\n') {
      endRow();
      i++;
    } else if (ch === '\n' || ch === '\r') {
      endRow();
    } else {
      field += ch;
    }
    i++;
  }
  if (quoted) throw new Error('unterminated quoted field at the end of the CSV');
  endRow();
  return rows;
}

/** Rows as records keyed by the header row; a row shorter than the header leaves those keys ''. */
export function parseCsv(text: string, separator = ','): Record<string, string>[] {
  const [header, ...rows] = parseCsvRows(text, separator);
  if (!header) return [];
  return rows.map((row, index) => {
    if (row.length > header.length) throw new Error(`CSV line ${index + 2} has ${row.length} fields, the header has ${header.length}`);
    return Object.fromEntries(header.map((name, column) => [name, row[column] ?? '']));
  });
}
