/**
 * What the two ways into `cluster create` (a new cluster, or one that already exists) hand to the
 * common end: the cluster to wait for and what to write back, or the reason the step stopped.
 */
import type { ClusterInfo } from '../aws/redshift.js';
import type { ConfigChange } from '../config/types.js';
import type { StepResult } from './types.js';

export type Prepared =
  | {
      kind: 'ready';
      cluster: ClusterInfo;
      roleArn: string;
      /** The admin password from dwh.cfg or the prompt; undefined when AWS manages it. */
      password: string | undefined;
      /** Keys to write with the cluster's own once it is available. */
      changes: ConfigChange[];
      /**
       * `cluster` is what CreateCluster or ResumeCluster just answered: DescribeClusters may lag behind
       * it (ClusterNotFound, still "paused") for a moment.
       */
      fresh: boolean;
      /** The cluster existed before this run (its run time and cost so far are worth saying). */
      reused: boolean;
      /** Pause it automatically this many hours after it was made (new) or from now (reused); 0: no. */
      pauseAfterHours: number;
    }
  | { kind: 'stopped'; result: StepResult };
