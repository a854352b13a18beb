/**
 * MySQL/MariaDB functions /query allows: pure functions people use in reads. Anything
 * else is refused by name; `databases.<db>.allow_functions` adds more.
 */
export const MYSQL_ALLOWED = new Set(
  `
  lower upper lcase ucase length char_length character_length octet_length bit_length substr substring
  substring_index mid left right lpad rpad ltrim rtrim trim replace reverse repeat concat concat_ws
  locate position instr field find_in_set format ascii ord char hex unhex md5 sha1 sha sha2 to_base64
  from_base64 space strcmp soundex regexp_replace regexp_substr regexp_instr quote elt make_set
  export_set convert cast binary collation charset coercibility weight_string
  abs ceil ceiling floor round truncate sign sqrt pow power exp ln log log2 log10 mod pi rand degrees
  radians sin cos tan asin acos atan atan2 cot crc32 conv greatest least bin oct
  now curdate current_date curtime current_time current_timestamp localtime localtimestamp sysdate
  utc_date utc_time utc_timestamp date time year month day dayofmonth dayofweek dayofyear dayname
  monthname hour minute second microsecond week weekday weekofyear yearweek quarter last_day date_add
  date_sub adddate subdate addtime subtime datediff timediff timestampdiff timestampadd date_format
  time_format str_to_date from_unixtime unix_timestamp extract makedate maketime period_add period_diff
  to_days from_days to_seconds sec_to_time time_to_sec convert_tz get_format
  count sum avg min max group_concat std stddev stddev_pop stddev_samp variance var_pop var_samp bit_and
  bit_or bit_xor json_arrayagg json_objectagg
  row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
  json_extract json_unquote json_value json_query json_object json_array json_contains
  json_contains_path json_keys json_length json_type json_valid json_depth json_search json_set
  json_insert json_replace json_remove json_merge json_merge_patch json_merge_preserve json_pretty
  json_compact json_detailed json_loose json_exists json_array_append json_array_insert json_quote
  if ifnull nullif coalesce isnull interval
  database schema version user current_user session_user system_user connection_id uuid uuid_short
  sleep inet_aton inet_ntoa inet6_aton inet6_ntoa is_ipv4 is_ipv6 exists row
  `
    .split(/\s+/)
    .filter(Boolean),
);

/** Never allowed, not even through allow_functions (locks, files, other sessions, waits on replication, sequences). */
const MYSQL_NEVER = new Set(
  `
  get_lock release_lock release_all_locks is_free_lock is_used_lock load_file benchmark nextval setval
  lastval sys_exec sys_eval master_pos_wait source_pos_wait master_gtid_wait wait_for_executed_gtid_set
  wait_until_sql_thread_after_gtids last_insert_id found_rows row_count column_get column_json
  `
    .split(/\s+/)
    .filter(Boolean),
);

export function mysqlNever(name: string): boolean {
  return MYSQL_NEVER.has(name);
}
