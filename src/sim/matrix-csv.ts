/**
 * Latency matrices from CSV files of milliseconds (`network.latency: { kind: matrix, file }`).
 *
 * Format (docs/scenarios.md):
 * - one matrix row per line, values separated by commas, spaces around a value allowed;
 * - each value is a plain decimal number of milliseconds (`12`, `12.5`), from 0 to
 *   LATENCY_MAX_MS; row i, column j is the one-way delay from node i to node j;
 * - the matrix is square: the first row fixes n, every row has n values and there are n rows;
 * - blank lines and lines starting with `#` are skipped (comments, a trailing newline).
 *
 * Every problem is a MatrixCsvError naming the 1-based line and column (column 0 when the
 * problem is the line or the file as a whole), what was expected and what was found.
 */
import {
  LATENCY_MATRIX_FILE_MAX_BYTES,
  LATENCY_MATRIX_ROWS_MAX,
  LATENCY_MAX_MS,
} from './limits.js';
import { TextFileError, readTextFile } from './text-file.js';

export class MatrixCsvError extends Error {
  override name = 'MatrixCsvError';
  constructor(
    /** 1-based line; 0 for the file as a whole. */
    readonly line: number,
    /** 1-based column (the value's position in its row); 0 for the whole line. */
    readonly column: number,
    readonly detail: string,
  ) {
    const where =
      line === 0 ? '' : column === 0 ? `line ${line}: ` : `line ${line}, column ${column}: `;
    super(`${where}${detail}`);
  }
}

/** A plain decimal number: digits, an optional fraction. No sign, exponent, hex or NaN. */
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Parses the text of a matrix file (the format above). */
export function parseMatrixCsv(text: string): number[][] {
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  let width = 0;
  let lastLine = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const cells = raw.split(',');
    if (rows.length === 0) {
      width = cells.length;
      if (width > LATENCY_MATRIX_ROWS_MAX) {
        throw new MatrixCsvError(
          line,
          0,
          `expected at most ${LATENCY_MATRIX_ROWS_MAX} values per row, found ${width}`,
        );
      }
    } else if (cells.length !== width) {
      throw new MatrixCsvError(
        line,
        0,
        `expected ${width} values (as many as the first row: the matrix is square), ` +
          `found ${cells.length}`,
      );
    }
    if (rows.length === width) {
      throw new MatrixCsvError(
        line,
        0,
        `expected ${width} rows (as many as the first row has values: the matrix is square), ` +
          `found more`,
      );
    }
    rows.push(cells.map((cell, j) => readCell(cell.trim(), line, j + 1)));
    lastLine = line;
  });
  if (rows.length === 0) {
    throw new MatrixCsvError(0, 0, 'expected at least one row of numbers, found none');
  }
  if (rows.length !== width) {
    throw new MatrixCsvError(
      lastLine,
      0,
      `expected ${width} rows (as many as the first row has values: the matrix is square), ` +
        `found ${rows.length}`,
    );
  }
  return rows;
}

function readCell(cell: string, line: number, column: number): number {
  const expected = `expected a number of milliseconds from 0 to ${LATENCY_MAX_MS}`;
  if (cell === '') throw new MatrixCsvError(line, column, `${expected}, found an empty cell`);
  if (!NUMBER.test(cell)) {
    throw new MatrixCsvError(line, column, `${expected}, found ${JSON.stringify(cell)}`);
  }
  const value = Number(cell);
  if (value > LATENCY_MAX_MS) throw new MatrixCsvError(line, column, `${expected}, found ${cell}`);
  return value;
}

/** Reads and parses a matrix file; an unreadable or oversized file is a MatrixCsvError too. */
export function loadMatrixCsv(path: string): number[][] {
  let text: string;
  try {
    text = readTextFile(path, LATENCY_MATRIX_FILE_MAX_BYTES, 'a CSV file');
  } catch (err) {
    if (!(err instanceof TextFileError)) throw err;
    const message = err.kind === 'too-big' ? err.reason : `cannot read ${path}: ${err.reason}`;
    throw new MatrixCsvError(0, 0, message);
  }
  return parseMatrixCsv(text);
}
