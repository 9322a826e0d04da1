/**
 * Names that have to be written into SQL text (a database, a cluster, a table) because
 * ClickHouse cannot bind identifiers as `{name:Type}` parameters. They come from
 * configuration, so they are checked against a strict pattern before any SQL is built.
 */
import { StoreError } from './types.js';

const SIMPLE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
// Cluster names come from the server's <remote_servers> config, where dashes are common.
const CLUSTER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,62}$/;
const TABLE_NAME = /^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Returns `name` if it is a plain SQL identifier (letters, digits, `_`), else throws. */
export function checkDatabaseName(name: string): string {
  if (!SIMPLE_IDENTIFIER.test(name)) {
    throw new StoreError(
      `Database name ${JSON.stringify(name)} is not usable: use letters, digits and underscores only, starting with a letter or underscore (at most 63 characters).`,
      false,
    );
  }
  return name;
}

/** Returns `name` if it can be a cluster name (letters, digits, `_`, `-`), else throws. */
export function checkClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw new StoreError(
      `Cluster name ${JSON.stringify(name)} is not usable: use the name from the server's <remote_servers> section (letters, digits, '_' and '-').`,
      false,
    );
  }
  return name;
}

/** Returns `name` if it is `table` or `database.table` made of plain identifiers, else throws. */
export function checkTableName(name: string): string {
  if (!TABLE_NAME.test(name)) {
    throw new StoreError(
      `Table name ${JSON.stringify(name)} is not usable: expected \`table\` or \`database.table\` made of letters, digits and underscores.`,
      false,
    );
  }
  return name;
}

/** `ON CLUSTER x` needs backquotes when the (already checked) name has a dash. */
export function clusterIdentifier(name: string): string {
  return SIMPLE_IDENTIFIER.test(checkClusterName(name)) ? name : `\`${name}\``;
}
