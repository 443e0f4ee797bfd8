import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Stock reservations of the checkout saga (see reservation.service.ts). */
export class CreateReservations1732320000000 implements MigrationInterface {
  name = 'CreateReservations1732320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'reservations',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'orderId', type: 'varchar', length: '36' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'items', type: 'text' },
          { name: 'expiresAt', type: 'datetime', precision: 3 },
          { name: 'createdAt', type: 'datetime', precision: 3 },
          { name: 'updatedAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    await queryRunner.createIndex('reservations', new TableIndex({ name: 'idx_reservations_order', columnNames: ['orderId'], isUnique: true }));
    await queryRunner.createIndex(
      'reservations',
      new TableIndex({ name: 'idx_reservations_status_expires', columnNames: ['status', 'expiresAt'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('reservations');
  }
}
