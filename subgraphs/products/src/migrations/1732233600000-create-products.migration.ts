import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The catalogue table. Written with TypeORM's schema API so it runs on MySQL and SQLite alike. */
export class CreateProducts1732233600000 implements MigrationInterface {
  name = 'CreateProducts1732233600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'products',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'sku', type: 'varchar', length: '64' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'description', type: 'text', isNullable: true },
          { name: 'priceCents', type: 'int' },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'stock', type: 'int' },
          { name: 'weightGrams', type: 'int' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await queryRunner.createIndex('products', new TableIndex({ name: 'idx_products_sku', columnNames: ['sku'], isUnique: true }));
    await queryRunner.createIndex('products', new TableIndex({ name: 'idx_products_name', columnNames: ['name'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('products');
  }
}
