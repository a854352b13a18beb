/**
 * PostgreSQL functions /query allows: pure functions people use in reads (text, numbers,
 * dates, aggregates, window functions, JSON, arrays, conditionals). Anything else is
 * refused by name; `databases.<db>.allow_functions` adds more.
 */
export const PG_ALLOWED = new Set(
  `
  lower upper initcap length char_length character_length octet_length bit_length substr substring
  position strpos left right lpad rpad ltrim rtrim btrim trim replace translate reverse repeat concat
  concat_ws split_part format regexp_replace regexp_match regexp_matches regexp_split_to_array
  regexp_split_to_table regexp_count regexp_instr regexp_like regexp_substr starts_with md5 sha224
  sha256 sha384 sha512 encode decode to_hex ascii chr quote_ident quote_literal quote_nullable overlay
  normalize is_normalized string_to_array array_to_string to_char to_number to_date to_timestamp
  unistr like_escape similar_to_escape
  abs ceil ceiling floor round trunc sign sqrt cbrt power pow exp ln log log10 mod div pi degrees radians
  sin cos tan asin acos atan atan2 sind cosd tand sinh cosh tanh width_bucket gcd lcm factorial scale
  min_scale trim_scale random
  now current_date current_time current_timestamp localtime localtimestamp clock_timestamp
  statement_timestamp transaction_timestamp timeofday date_trunc date_part extract age make_date
  make_time make_timestamp make_timestamptz make_interval date_bin justify_days justify_hours
  justify_interval isfinite timezone overlaps
  count sum avg min max bool_and bool_or every stddev stddev_pop stddev_samp variance var_pop var_samp
  array_agg string_agg json_agg jsonb_agg json_object_agg jsonb_object_agg percentile_cont
  percentile_disc mode corr covar_pop covar_samp regr_avgx regr_avgy regr_count regr_intercept regr_r2
  regr_slope regr_sxx regr_sxy regr_syy bit_and bit_or bit_xor any_value
  row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
  to_json to_jsonb json_build_object jsonb_build_object json_build_array jsonb_build_array json_object
  jsonb_object json_extract_path json_extract_path_text jsonb_extract_path jsonb_extract_path_text
  json_array_length jsonb_array_length json_array_elements jsonb_array_elements json_array_elements_text
  jsonb_array_elements_text json_each jsonb_each json_each_text jsonb_each_text json_object_keys
  jsonb_object_keys json_typeof jsonb_typeof jsonb_pretty jsonb_set jsonb_set_lax jsonb_insert
  jsonb_strip_nulls json_strip_nulls jsonb_path_query jsonb_path_exists jsonb_path_match
  jsonb_path_query_array jsonb_path_query_first row_to_json array_to_json jsonb_concat
  array_length cardinality array_position array_positions array_append array_prepend array_cat
  array_remove array_replace array_dims array_lower array_upper array_ndims array_fill unnest
  generate_series generate_subscripts trim_array
  coalesce nullif greatest least num_nulls num_nonnulls
  to_tsvector to_tsquery plainto_tsquery phraseto_tsquery websearch_to_tsquery ts_rank ts_rank_cd
  ts_headline numnode querytree setweight strip
  gen_random_uuid pg_typeof format_type pg_size_pretty pg_sleep version current_database current_schema
  current_user session_user inet_client_addr host masklen network broadcast family abbrev
  date time timestamp timestamptz numeric int2 int4 int8 float4 float8 text varchar bool uuid
  `
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Never allowed, not even through allow_functions: they run SQL given as text, read a
 * relation named in a string, or act outside the transaction (locks, other sessions,
 * settings, files, sequences, other servers).
 */
const PG_NEVER_EXACT = new Set(
  `
  query_to_xml query_to_xmlschema query_to_xml_and_xmlschema cursor_to_xml cursor_to_xmlschema
  table_to_xml table_to_xmlschema table_to_xml_and_xmlschema schema_to_xml schema_to_xmlschema
  schema_to_xml_and_xmlschema database_to_xml database_to_xmlschema database_to_xml_and_xmlschema
  ts_stat ts_rewrite pg_terminate_backend pg_cancel_backend set_config current_setting nextval setval
  currval lastval pg_read_file pg_read_binary_file pg_stat_file pg_reload_conf pg_rotate_logfile
  pg_switch_wal pg_promote pg_notify pg_log_backend_memory_contexts pg_import_system_collations
  brin_summarize_new_values brin_summarize_range brin_desummarize_range gin_clean_pending_list
  pg_backup_start pg_backup_stop pg_start_backup pg_stop_backup pg_wal_replay_pause
  pg_wal_replay_resume pg_logical_emit_message pg_drop_replication_slot txid_current
  pg_current_xact_id loread lowrite pg_get_serial_sequence json_populate_record json_populate_recordset
  jsonb_populate_record jsonb_populate_recordset pg_stat_get_activity pg_stat_statements
  `
    .split(/\s+/)
    .filter(Boolean),
);
const PG_NEVER_PREFIXES = [
  'pg_advisory',
  'pg_try_advisory',
  'lo_',
  'dblink',
  'pg_ls_',
  'pg_file_',
  'pg_stat_',
  'pg_create_',
  'pg_replication_',
  'pg_copy_',
  'binary_upgrade_',
  'xpath',
];

export function pgNever(name: string): boolean {
  return PG_NEVER_EXACT.has(name) || PG_NEVER_PREFIXES.some((p) => name.startsWith(p));
}
