import { execFileSync } from 'node:child_process';
import { link, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { listSourceFiles } from '../../src/source/walk.js';
import { folderWith, tempDir } from './fixtures.js';

const label = { label: '[LOCAL] SONG_DATA', displayDir: './data/song_data' };

describe('listSourceFiles', () => {
  it('lists every regular file at any depth, hidden ones included, sorted by path', async () => {
    const dir = await folderWith({
      'B/b.json': 'bb',
      'A/B/C/TRABC.json': '{}',
      '.hidden/x.json': 'x',
      'A/.dotfile': '1234',
      'top.json': '',
    });
    const files = await listSourceFiles(dir, label);
    expect(files.map((f) => f.relativePath)).toEqual([
      '.hidden/x.json',
      'A/.dotfile',
      'A/B/C/TRABC.json',
      'B/b.json',
      'top.json',
    ]);
    expect(files.map((f) => f.size)).toEqual([1, 4, 2, 2, 0]);
    expect(files[2]!.path).toBe(join(dir, 'A', 'B', 'C', 'TRABC.json'));
  });

  it('follows links but reads a folder reached twice only once (no endless loop)', async () => {
    const dir = await folderWith({ 'a/one.json': '1', 'outside.txt': 'o' });
    await symlink(dir, join(dir, 'a', 'loop')); // a/loop → the root: a cycle
    await symlink(join(dir, 'outside.txt'), join(dir, 'a', 'linked.json'));
    await symlink(join(dir, 'missing.json'), join(dir, 'a', 'dangling.json'));
    const files = await listSourceFiles(dir, label);
    expect(files.map((f) => f.relativePath)).toEqual(['a/linked.json', 'a/one.json', 'outside.txt']);
    expect(files[0]!.size).toBe(1);
  });

  it('reads a folder that two paths reach once, under the first path by name', async () => {
    const dir = await folderWith({ 'm/song.json': '{}' });
    await symlink(join(dir, 'm'), join(dir, 'z-link'));
    await symlink(join(dir, 'm'), join(dir, 'a-link'));
    expect((await listSourceFiles(dir, label)).map((f) => f.relativePath)).toEqual(['a-link/song.json']);
  });

  it('lists a file that two hard links name under both paths, and leaves a FIFO out', async () => {
    // Neither is a plain tree: the quick listing hands both to the walk, which gives them as before.
    const dir = await folderWith({ 'a/one.json': '1', 'b/two.json': '22' });
    await link(join(dir, 'a', 'one.json'), join(dir, 'b', 'same.json'));
    expect((await listSourceFiles(dir, label)).map((f) => [f.relativePath, f.size])).toEqual([
      ['a/one.json', 1],
      ['b/same.json', 1],
      ['b/two.json', 2],
    ]);
    if (process.platform === 'win32') return;
    execFileSync('mkfifo', [join(dir, 'b', 'pipe.json')]);
    expect((await listSourceFiles(dir, label)).map((f) => f.relativePath)).toEqual([
      'a/one.json',
      'b/same.json',
      'b/two.json',
    ]);
  });

  it('names the setting and the folder when the folder does not exist', async () => {
    const dir = await tempDir();
    const error = await listSourceFiles(join(dir, 'nope'), label).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('[LOCAL] SONG_DATA: folder ./data/song_data does not exist');
    expect((error as UserError).hint).toContain('sparkify-dwh generate --out <dir>');
  });

  it('says a folder with no files (only empty folders) is empty and how to get data', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'A', 'B'), { recursive: true });
    const error = await listSourceFiles(dir, label).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      '[LOCAL] SONG_DATA: folder ./data/song_data is empty; write a sample data set with `sparkify-dwh ' +
        'generate --out <dir>` and point [LOCAL] SONG_DATA at its folder',
    );
  });

  it('refuses a file where a folder is expected', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file.json'), '{}');
    const error = await listSourceFiles(join(dir, 'file.json'), label).catch((e: unknown) => e);
    expect((error as UserError).message).toBe('[LOCAL] SONG_DATA: ./data/song_data is a file, not a folder');
  });
});
