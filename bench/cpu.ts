/**
 * CPU time, which the benchmark reports beside wall time: on a machine shared with other work,
 * wall time mostly measures the others, while the CPU time a process used changes far less.
 * Linux only (/proc); elsewhere every function answers undefined and the columns stay empty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { DATA_DIRECTORY_SQL } from './sql.js';

/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux that Node runs on. */
const TICKS_PER_SECOND = 100;

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces), from field 3 on. */
function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime (fields 14, 15) of a process, in ms. */
export function processCpuMs(pid: number): number | undefined {
  const fields = statFields(pid);
  if (fields === undefined) return undefined;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** cutime + cstime (fields 16, 17): the CPU time of the reaped children of `pid`, in ms. */
export function childrenCpuMs(pid: number | 'self' = 'self'): number | undefined {
  const fields = statFields(pid);
  if (fields === undefined) return undefined;
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
}

/**
 * The server's process id (postmaster.pid in its data directory) when it runs on this machine
 * and we may read its files; undefined otherwise. Every backend is a child of it, so the CPU time
 * of a finished connection shows in its children's time.
 */
export async function postmasterPid(client: pg.Client): Promise<number | undefined> {
  try {
    const { rows } = await client.query<{ data_directory: string }>(DATA_DIRECTORY_SQL);
    const dir = rows[0]?.data_directory;
    if (dir === undefined) return undefined;
    const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && childrenCpuMs(pid) !== undefined ? pid : undefined;
  } catch {
    return undefined;
  }
}
