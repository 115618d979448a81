/**
 * A dwh.cfg the way people have it from the original course scripts: both Udacity files merged,
 * `KEY=value` without spaces, quoted values in [CLUSTER] and [S3], mixed key case, comments with
 * `#` and `;`, and a key the wizard does not know.
 */
export const SEED_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSEEDSECRET';
export const SEED_PASSWORD = 'Sh0wMeNever9';

export const SEED_CFG = [
  '# Sparkify data warehouse settings',
  '# (copied from the course notebook)',
  '[AWS]',
  'KEY=AKIAIOSFODNN7EXAMPLE',
  `SECRET=${SEED_SECRET}`,
  'region = us-west-2',
  '',
  '[DWH] ',
  'DWH_CLUSTER_TYPE=multi-node',
  'DWH_NUM_NODES=4',
  'DWH_NODE_TYPE=dc2.large',
  '',
  'DWH_IAM_ROLE_NAME=dwhRole',
  'DWH_CLUSTER_IDENTIFIER=dwhCluster',
  'DWH_DB=dwh',
  'dwh_db_user=dwhuser',
  `DWH_DB_PASSWORD=${SEED_PASSWORD}`,
  'DWH_PORT=5439',
  '',
  '[CLUSTER]',
  "HOST=''",
  "DB_NAME='dwh'",
  "DB_USER='dwhuser'",
  `DB_PASSWORD='${SEED_PASSWORD}'`,
  'DB_PORT=5439',
  '',
  '[IAM_ROLE]',
  "ARN=''",
  '',
  '; S3 source data',
  '[S3]',
  "LOG_DATA='s3://udacity-dend/log_data'",
  "LOG_JSONPATH='s3://udacity-dend/log_json_path.json'",
  "SONG_DATA='s3://udacity-dend/song_data'",
  'NOTES: keep # this is not a comment',
  '',
].join('\n');
