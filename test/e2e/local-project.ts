/**
 * A folder as a user's project on the embedded warehouse: generated source data under data/ and a
 * dwh.cfg pointing at it, made with the built program (built first if missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, root, tempDir, writeConfig } from '../cli/run.js';

export async function localProject(prefix: string, size: { songs: number; events: number }): Promise<string> {
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  const dir = await tempDir(prefix);
  execFileSync(
    process.execPath,
    [cli, 'generate', '--out', 'data', '--songs', String(size.songs), '--events', String(size.events), '--seed', '7'],
    { cwd: dir, stdio: 'ignore' },
  );
  await writeConfig(join(dir, 'dwh.cfg'), {
    WAREHOUSE: { TARGET: 'embedded', EMBEDDED_DIR: '.sparkify/warehouse' },
    LOCAL: { SONG_DATA: 'data/song_data', LOG_DATA: 'data/log_data' },
  });
  return dir;
}
