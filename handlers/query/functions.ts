/**
 * Functions refused by the statement check because their effect is not a data change
 * a read-only transaction would stop (sessions, locks, files, other servers, sequences),
 * or because they run SQL from a string the check cannot see.
 */
const PG_EXACT = new Set([
  'pg_terminate_backend',
  'pg_cancel_backend',
  'set_config',
  'nextval',
  'setval',
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_create_restore_point',
  'pg_promote',
  'pg_notify',
  'pg_log_backend_memory_contexts',
  'pg_import_system_collations',
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'brin_summarize_new_values',
  'brin_summarize_range',
  'brin_desummarize_range',
  'gin_clean_pending_list',
  'pg_backup_start',
  'pg_backup_stop',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_wal_replay_pause',
  'pg_wal_replay_resume',
  'pg_logical_emit_message',
  'pg_drop_replication_slot',
  'pg_copy_physical_replication_slot',
  'pg_copy_logical_replication_slot',
  'pg_replication_slot_advance',
  'txid_current',
  'pg_current_xact_id',
]);
const PG_PREFIXES = [
  'pg_advisory',
  'pg_try_advisory',
  'lo_',
  'dblink',
  'pg_ls_',
  'pg_file_',
  'pg_stat_reset',
  'pg_create_',
  'pg_replication_origin',
  'binary_upgrade_',
];
// loread/lowrite are the large-object calls without the lo_ prefix.
const PG_LARGE_OBJECT = new Set(['loread', 'lowrite']);

export function pgFunctionRefusal(name: string): string | null {
  const n = name.toLowerCase();
  if (PG_EXACT.has(n) || PG_LARGE_OBJECT.has(n) || PG_PREFIXES.some((p) => n.startsWith(p))) {
    return `${n}() has effects a read-only transaction does not stop`;
  }
  return null;
}

const MYSQL_EXACT = new Set([
  'get_lock',
  'release_lock',
  'release_all_locks',
  'load_file',
  'benchmark',
  'nextval',
  'setval',
  'lastval',
  'sys_exec',
  'sys_eval',
  'master_pos_wait',
  'source_pos_wait',
  'master_gtid_wait',
  'wait_for_executed_gtid_set',
  'wait_until_sql_thread_after_gtids',
]);

export function mysqlFunctionRefusal(name: string): string | null {
  const n = name.toLowerCase();
  if (MYSQL_EXACT.has(n)) return `${n.toUpperCase()}() has effects a read-only transaction does not stop`;
  return null;
}
