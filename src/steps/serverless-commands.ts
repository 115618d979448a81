/** The Serverless steps the command table (src/commands.ts) runs for `TARGET = redshift-serverless`. */
export { runServerlessCreate } from './serverless-create.js';
export { runServerlessPause, runServerlessResume, runServerlessStatus } from './serverless-status.js';
export { runServerlessTeardown } from './serverless-teardown.js';
