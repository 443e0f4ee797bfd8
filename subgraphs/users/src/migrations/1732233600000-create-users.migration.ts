import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The accounts table. Written with TypeORM's schema API so it runs on MySQL and SQLite alike. */
export class CreateUsers1732233600000 implements MigrationInterface {
  name = 'CreateUsers1732233600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'passwordHash', type: 'varchar', length: '255' },
          { name: 'isAdmin', type: 'boolean', default: false },
          { name: 'createdAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await queryRunner.createIndex('users', new TableIndex({ name: 'idx_users_email', columnNames: ['email'], isUnique: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('users');
  }
}
