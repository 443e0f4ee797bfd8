// Stands in for the mysql image's docker_process_sql when the init script runs in a test: reads
// SQL from stdin and runs it as the admin of MYSQL_ADMIN_URL (no mysql client binary needed).
import { createConnection } from 'mysql2/promise';

let sql = '';
for await (const chunk of process.stdin) sql += chunk;
const connection = await createConnection({ uri: process.env.MYSQL_ADMIN_URL, multipleStatements: true });
try {
  await connection.query(sql);
} finally {
  await connection.end();
}
