import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** Stored lower-cased, so the unique index is case-insensitive on SQLite too. */
  @Index('idx_users_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** `scrypt$N$r$p$salt$hash`; never in the GraphQL schema. */
  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  /** The only role there is; a boolean keeps it simple until a second one exists. */
  @Column({ type: 'boolean', default: false })
  isAdmin: boolean;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;
}
