import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The reviews table. Written with TypeORM's schema API so it runs on MySQL and SQLite alike. */
export class CreateReviews1732233700000 implements MigrationInterface {
  name = 'CreateReviews1732233700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'reviews',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'productId', type: 'varchar', length: '64' },
          { name: 'authorId', type: 'varchar', length: '36' },
          { name: 'rating', type: 'int' },
          { name: 'body', type: 'text' },
          { name: 'createdAt', type: 'datetime', precision: 3 },
        ],
      }),
    );
    // One review per user and product; its leading column also serves User.reviews.
    await queryRunner.createIndex(
      'reviews',
      new TableIndex({ name: 'idx_reviews_author_product', columnNames: ['authorId', 'productId'], isUnique: true }),
    );
    // The per-product page in newest-first keyset order, and the per-product aggregate.
    await queryRunner.createIndex(
      'reviews',
      new TableIndex({ name: 'idx_reviews_product_created', columnNames: ['productId', 'createdAt', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('reviews');
  }
}
