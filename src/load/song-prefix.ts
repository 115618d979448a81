/**
 * `load --song-prefix P`: load only the song files under P inside the song data — a sub-prefix of
 * [S3] SONG_DATA on Redshift, a sub-folder of [LOCAL] SONG_DATA on the local targets — for a
 * quick first run (docs/commands.md). One rule for both, so the option means the same everywhere.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { SourceFolder } from './local.js';

/**
 * The prefix as it is used (leading slashes dropped), or a usage error. Only letters, digits and
 * / _ . - (it is spliced into an S3 URL), and no `.` or `..` part, which would leave the song
 * data on a disk.
 */
export function checkSongPrefix(songPrefix: string): string {
  const prefix = songPrefix.replace(/^\/+/, '');
  if (!/^[A-Za-z0-9/_.-]+$/.test(prefix))
    throw new UserError(`--song-prefix "${prefix}" may contain only letters, digits, / _ . -`, { exitCode: 2 });
  if (prefix.split('/').some((part) => part === '.' || part === '..'))
    throw new UserError(`--song-prefix "${prefix}" must stay inside the song data: no . or .. parts`, {
      exitCode: 2,
    });
  return prefix;
}

/** The song folder narrowed to `songPrefix` (unchanged without one); messages name both. */
export function songFolderUnder(folder: SourceFolder, songPrefix: string | undefined): SourceFolder {
  if (songPrefix === undefined || songPrefix === '') return folder;
  const prefix = checkSongPrefix(songPrefix);
  const sub = prefix.replace(/\/+$/, '');
  if (sub === '') return folder;
  return {
    dir: join(folder.dir, sub),
    displayDir: `${folder.displayDir.replace(/[\\/]+$/, '')}/${sub}`,
    label: `${folder.label} with --song-prefix ${prefix}`,
  };
}
