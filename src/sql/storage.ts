/**
 * How much data a Redshift cluster stores, for the managed-storage part of its cost (RA3 and RG bill
 * it per GB-month). SVV_TABLE_INFO.size is each user table's size "in 1-MB data blocks"; the view is
 * visible to superusers, which the cluster's admin user is
 * (docs.aws.amazon.com/redshift/latest/dg/r_SVV_TABLE_INFO.html). Empty tables have no row there.
 */
export function storedMegabytesSql(): string {
  return 'SELECT COALESCE(SUM(size), 0) AS megabytes FROM svv_table_info';
}
