import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter, type SplitLine } from '../../src/logs/line-splitter.js';

function split(chunks: (string | Buffer)[], max = 16): SplitLine[] {
  const lines: SplitLine[] = [];
  const splitter = new LineSplitter(max, (line) => lines.push(line));
  for (const chunk of chunks) splitter.push(Buffer.from(chunk));
  splitter.end();
  return lines;
}

test('lines end at \\n or \\r\\n, also across chunks; a lone \\r stays in its line (FC: one entry)', () => {
  const lines = split(['one\ntw', 'o\r', '\nthree\rfour', '\r\n', 'last']);
  assert.deepEqual(
    lines.map((line) => line.text),
    ['one', 'two', 'three\rfour', 'last'],
  );
  assert.ok(lines.every((line) => !line.truncated));
});

test('a line over the cap is handed on at the cap, marked, and its rest discarded up to the next break', () => {
  const lines = split(['0123456789', '0123456789abcdef', 'more\nnext\n']);
  assert.deepEqual(lines, [
    { text: '0123456789012345', bytes: 16, truncated: true },
    { text: 'next', bytes: 4, truncated: false },
  ]);
});

test('exactly the cap is not cut; the cut never splits a UTF-8 character', () => {
  assert.deepEqual(split(['0123456789abcdef\n']), [
    { text: '0123456789abcdef', bytes: 16, truncated: false },
  ]);
  const [cut] = split([`${'a'.repeat(15)}é and more\n`]);
  assert.deepEqual(cut, { text: 'a'.repeat(15), bytes: 15, truncated: true });
});

test('a stream without any newline never holds more than the cap', () => {
  const lines: SplitLine[] = [];
  const splitter = new LineSplitter(1024, (line) => lines.push(line));
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let i = 0; i < 1000; i++) splitter.push(chunk); // 64 MB
  splitter.push(Buffer.from('\nok\n'));
  assert.deepEqual(
    lines.map((line) => [line.bytes, line.truncated]),
    [
      [1024, true],
      [2, false],
    ],
  );
});

test('skip drops a chunk, counts its line breaks, and discards the line it ends inside', () => {
  const lines: SplitLine[] = [];
  const splitter = new LineSplitter(64, (line) => lines.push(line));
  splitter.push(Buffer.from('kept\npartial'));
  assert.equal(splitter.skip(Buffer.from('a\nb\nc')), 2);
  splitter.push(Buffer.from(' rest of c\nnext\n'));
  assert.deepEqual(
    lines.map((line) => line.text),
    ['kept', 'next'],
  );
});

test('skip counts the line feeds of dense and sparse chunks alike', () => {
  const splitter = new LineSplitter(64, () => undefined);
  assert.equal(splitter.skip(Buffer.alloc(65536, '\n')), 65536);
  assert.equal(splitter.skip(Buffer.from('ab\n'.repeat(5000))), 5000);
  assert.equal(splitter.skip(Buffer.from(`${'x'.repeat(99)}\n`.repeat(700))), 700);
  assert.equal(splitter.skip(Buffer.from('no line feed')), 0);
});
