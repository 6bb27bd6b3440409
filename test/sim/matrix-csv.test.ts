/**
 * Latency matrices from CSV files: the format is checked with line and column in every error,
 * the file is found relative to the scenario file, and the network looks delays up with
 * node i on row i mod n.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MatrixCsvError, parseMatrixCsv } from '../../src/sim/matrix-csv.js';
import { LATENCY_MATRIX_ROWS_MAX } from '../../src/sim/limits.js';
import { ScenarioError, loadScenarioFile, parseScenario } from '../../src/sim/scenario.js';
import { Latency } from '../../src/transports/sim/latency.js';

function csvError(text: string): MatrixCsvError {
  try {
    parseMatrixCsv(text);
  } catch (err) {
    if (err instanceof MatrixCsvError) return err;
    throw err;
  }
  throw new Error('expected a MatrixCsvError');
}

describe('parseMatrixCsv', () => {
  it('reads a square matrix; comments, blank lines, spaces and CRLF are fine', () => {
    const text = '# one-way delays in ms\r\n0, 12.5,30\r\n\r\n12,0 ,7\n 31,8,0\n\n';
    expect(parseMatrixCsv(text)).toEqual([
      [0, 12.5, 30],
      [12, 0, 7],
      [31, 8, 0],
    ]);
    expect(parseMatrixCsv('5')).toEqual([[5]]);
  });

  it.each<[string, string, number, number, RegExp]>([
    [
      'a word',
      '0,1\n1,abc\n',
      2,
      2,
      /expected a number of milliseconds from 0 to 60000, found "abc"/,
    ],
    ['an empty cell', '0,1,2\n1,,2\n2,1,0\n', 2, 2, /found an empty cell/],
    ['a trailing comma', '0,1,\n', 1, 3, /found an empty cell/],
    ['a negative number', '0,-1\n1,0\n', 1, 2, /found "-1"/],
    ['an exponent', '0,1e3\n1,0\n', 1, 2, /found "1e3"/],
    ['too large', '0,70000\n1,0\n', 1, 2, /from 0 to 60000, found 70000/],
    [
      'a short row',
      '0,1,2\n1,0\n2,1,0\n',
      2,
      0,
      /expected 3 values \(as many as the first row: the matrix is square\), found 2/,
    ],
    ['too few rows', '0,1,2\n1,0,1\n', 2, 0, /expected 3 rows .* found 2/],
    ['too many rows', '0,1\n1,0\n# c\n2,2\n', 4, 0, /expected 2 rows .* found more/],
    ['nothing', '# only a comment\n\n', 0, 0, /at least one row of numbers, found none/],
  ])('refuses %s, naming line and column', (_what, text, line, column, message) => {
    const err = csvError(text);
    expect({ line: err.line, column: err.column }).toEqual({ line, column });
    expect(err.message).toMatch(message);
    if (line > 0) expect(err.message).toMatch(new RegExp(`^line ${line}`));
    if (column > 0) expect(err.message).toMatch(new RegExp(`^line ${line}, column ${column}: `));
  });

  it('bounds the number of rows', () => {
    const row = Array.from({ length: LATENCY_MATRIX_ROWS_MAX + 1 }, () => '1').join(',');
    expect(csvError(`${row}\n`).message).toMatch(/at most 4096 values per row/);
  });
});

describe('network.latency: { kind: matrix, file }', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2pmsg-matrix-'));
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'lat.csv'), '0,10,20\n11,0,30\n21,31,0\n');
  writeFileSync(join(dir, 'data', 'bad.csv'), '0,10\n11,x\n');
  const scenario = (file: string) =>
    `name: m\nnodes: 10\nduration: 1m\nnetwork:\n  latency: { kind: matrix, file: ${file} }\n`;

  it('is read relative to the scenario file, and keeps the path as written', () => {
    writeFileSync(join(dir, 'm.yaml'), scenario('data/lat.csv'));
    const s = loadScenarioFile(join(dir, 'm.yaml'));
    expect(s.network.latency).toEqual({
      kind: 'matrix',
      file: 'data/lat.csv',
      ms: [
        [0, 10, 20],
        [11, 0, 30],
        [21, 31, 0],
      ],
    });
    // The same text parsed from elsewhere finds it through baseDir.
    expect(
      parseScenario(scenario('data/lat.csv'), 'label', { baseDir: dir }).network.latency,
    ).toMatchObject({ kind: 'matrix' });
  });

  it('CSV problems are reported at the key, with the CSV line and column', () => {
    writeFileSync(join(dir, 'b.yaml'), scenario('data/bad.csv'));
    let err: ScenarioError | undefined;
    try {
      loadScenarioFile(join(dir, 'b.yaml'));
    } catch (e) {
      err = e as ScenarioError;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err?.keyPath).toBe('network.latency.file');
    expect(err?.line).toBe(5);
    expect(err?.message).toBe(
      'matrix file data/bad.csv: line 2, column 2: expected a number of milliseconds from 0 to 60000, found "x"',
    );
    writeFileSync(join(dir, 'c.yaml'), scenario('data/missing.csv'));
    expect(() => loadScenarioFile(join(dir, 'c.yaml'))).toThrow(
      /^matrix file data\/missing\.csv: cannot read .*data\/missing\.csv: no such file$/,
    );
  });

  it('the network maps node i to row i mod n, ordered pairs to (row, column)', () => {
    const ms = [
      [0, 10, 20],
      [11, 0, 30],
      [21, 31, 0],
    ];
    const latency = new Latency({ kind: 'matrix', ms }, 'seed');
    expect(latency.perFrame).toBe(false);
    expect(latency.pairMs(0, 1)).toBe(10);
    expect(latency.pairMs(1, 0)).toBe(11);
    expect(latency.pairMs(2, 1)).toBe(31);
    // Nodes 3, 4, 5 reuse rows 0, 1, 2.
    expect(latency.pairMs(3, 4)).toBe(10);
    expect(latency.pairMs(5, 7)).toBe(31);
    for (let from = 0; from < 30; from++) {
      for (let to = 0; to < 30; to++) {
        const expected = Math.max(1, (ms[from % 3] as number[])[to % 3] as number);
        expect(latency.pairMs(from, to)).toBe(expected);
      }
    }
    // The diagonal (two nodes on one row) is 0 in the file, 1 ms on the wire (the floor).
    expect(latency.pairMs(0, 3)).toBe(1);
  });
});
