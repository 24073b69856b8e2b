/** Password hashing with argon2id (PHC string format: algorithm, parameters and salt travel with the hash). */
import argon2 from 'argon2';
import type { ApiConfig } from '../config.js';

export class Passwords {
  private readonly options: { type: typeof argon2.argon2id; memoryCost: number; timeCost: number; parallelism: number };
  /** A hash of a random password, verified against when the account does not exist, so both cases take as long. */
  private dummy: Promise<string> | null = null;

  constructor(cost: ApiConfig['argon2']) {
    this.options = {
      type: argon2.argon2id,
      memoryCost: cost.memoryCostKiB,
      timeCost: cost.timeCost,
      parallelism: cost.parallelism,
    };
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false; // a malformed stored hash never matches
    }
  }

  /** Burns the same time as a real verification, for an unknown account. */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash(`dummy-${Math.random()}-${Date.now()}`);
    await this.verify(await this.dummy, password);
    return false;
  }

  /** True when a stored hash uses other parameters than the configured ones (rehash on next login). */
  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, this.options);
    } catch {
      return true;
    }
  }
}
