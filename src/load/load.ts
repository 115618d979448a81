/**
 * `load`, the domain half: pick the loader the warehouse can run — the S3 loader when it reads
 * S3 itself, the local stream loader when rows can be streamed in from here — chosen by the
 * capabilities it opened with, never by target name.
 */
import { UserError } from '../errors.js';
import type { Warehouse } from '../warehouse/types.js';
import { loadFromFolders, type SourceFolders } from './local.js';
import { loadFromS3, type S3LoadPlan } from './s3.js';
import type { LoadResult, LoadRun } from './types.js';

export interface LoadSources {
  /** The folders on this machine (asked only when the warehouse streams rows in). */
  folders: () => SourceFolders;
  /** The S3 COPY plan (asked only when the warehouse reads S3 itself). */
  s3: () => S3LoadPlan;
}

export async function loadWarehouse(warehouse: Warehouse, sources: LoadSources, run: LoadRun): Promise<LoadResult> {
  const { copyFromS3, copyFromStdin } = warehouse.capabilities;
  if (copyFromS3 !== undefined) return loadFromS3(warehouse, copyFromS3, sources.s3(), run);
  if (copyFromStdin !== undefined) return loadFromFolders(warehouse, copyFromStdin, sources.folders(), run);
  throw new UserError(`${warehouse.description} can load neither from S3 nor from files on this machine`);
}
