import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Orders and their lines. Written with TypeORM's schema API so it runs on MySQL and SQLite alike.
 * The only foreign key is inside this service's own database (items → orders); buyers and
 * products live in other services and are referenced by id only.
 */
export class CreateOrders1732233600000 implements MigrationInterface {
  name = 'CreateOrders1732233600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'buyerId', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'totalCents', type: 'int' },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'idempotencyKey', type: 'varchar', length: '128' },
          { name: 'reservationId', type: 'varchar', length: '64', isNullable: true },
          { name: 'failureReason', type: 'varchar', length: '500', isNullable: true },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'updatedAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await queryRunner.createIndex(
      'orders',
      new TableIndex({ name: 'idx_orders_buyer_idempotency', columnNames: ['buyerId', 'idempotencyKey'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'orders',
      new TableIndex({ name: 'idx_orders_buyer_created', columnNames: ['buyerId', 'createdAt', 'id'] }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'order_items',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'orderId', type: 'varchar', length: '36' },
          { name: 'productId', type: 'varchar', length: '36' },
          { name: 'quantity', type: 'int' },
          { name: 'unitPriceCents', type: 'int' },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'position', type: 'int' },
        ],
        // Declared with the table: on SQLite a foreign key added later means rebuilding the table.
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_order_items_order',
            columnNames: ['orderId'],
            referencedTableName: 'orders',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'order_items',
      new TableIndex({ name: 'idx_order_items_order_position', columnNames: ['orderId', 'position'], isUnique: true }),
    );
    await queryRunner.createIndex('order_items', new TableIndex({ name: 'idx_order_items_product', columnNames: ['productId'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('order_items');
    await queryRunner.dropTable('orders');
  }
}
