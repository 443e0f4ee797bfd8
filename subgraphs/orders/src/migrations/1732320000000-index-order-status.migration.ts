import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Lets the checkout reconciler find unfinished orders by status and age without scanning orders. */
export class IndexOrderStatus1732320000000 implements MigrationInterface {
  name = 'IndexOrderStatus1732320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('orders', new TableIndex({ name: 'idx_orders_status_updated', columnNames: ['status', 'updatedAt'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('orders', 'idx_orders_status_updated');
  }
}
