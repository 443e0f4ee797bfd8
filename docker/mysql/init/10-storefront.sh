# Data ownership in MySQL, for the compose stack and the dev cluster: the four subgraph databases
# and one user per subgraph with rights on its own database only (the SQL twin of
# scripts/mysql-setup.mjs).
#
# The mysql image's entrypoint sources *.sh files of /docker-entrypoint-initdb.d once, on the first
# start with an empty data directory. Keep this file NOT executable: sourced, it can use the
# entrypoint's docker_process_sql, which talks to the temporary init server as root.
#
# Reads MYSQL_DATABASE_PREFIX (optional) and USERS_DB_PASSWORD, PRODUCTS_DB_PASSWORD,
# REVIEWS_DB_PASSWORD, ORDERS_DB_PASSWORD (required, URL-safe: they also go into DATABASE_URLs).

storefront_sql() {
  if command -v docker_process_sql >/dev/null 2>&1; then
    docker_process_sql "$@"
  else
    # Run by hand against a running server (the tests do): the root password comes from the env.
    mysql --user=root ${MYSQL_ROOT_PASSWORD:+--password="$MYSQL_ROOT_PASSWORD"} "$@"
  fi
}

storefront_init() {
  # local: this file is sourced into the entrypoint's shell.
  local prefix sql name var password database grant_database
  prefix="${MYSQL_DATABASE_PREFIX:-}"
  case "$prefix" in
    *[!A-Za-z0-9_]*) echo "10-storefront.sh: MYSQL_DATABASE_PREFIX may only hold letters, digits and _" >&2; return 1 ;;
  esac
  sql=""
  for name in users products reviews orders; do
    var="$(echo "$name" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
    eval "password=\${$var:-}"
    if [ -z "$password" ]; then
      echo "10-storefront.sh: $var is not set (generate one with: node docker/make-secrets.mjs compose)" >&2
      return 1
    fi
    # URL-safe passwords need no escaping in SQL either, so nothing can be injected here.
    case "$password" in
      *[!A-Za-z0-9._~-]*) echo "10-storefront.sh: $var must be URL-safe (letters, digits, . _ ~ -)" >&2; return 1 ;;
    esac
    if [ "${#password}" -lt 16 ]; then
      echo "10-storefront.sh: $var must be at least 16 characters" >&2
      return 1
    fi
    database="${prefix}${name}"
    # In GRANT, _ is a wildcard: escaped, the grant covers exactly this database.
    grant_database="$(printf '%s' "$database" | sed 's/_/\\_/g')"
    sql="${sql}
CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${database}'@'%' IDENTIFIED BY '${password}';
ALTER USER '${database}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON \`${grant_database}\`.* TO '${database}'@'%';"
  done
  printf '%s\n' "$sql" | storefront_sql
  echo "10-storefront.sh: created databases and users ${prefix}users, ${prefix}products, ${prefix}reviews, ${prefix}orders"
}

storefront_init || exit 1
