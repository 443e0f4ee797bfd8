/** The MySQL/MariaDB server tests create their databases on. @default mysql://root@127.0.0.1:3306 */
export const MYSQL_URL = process.env.MYSQL_URL || 'mysql://root@127.0.0.1:3306';
