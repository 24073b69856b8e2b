/**
 * The feature flags the platform knows, with what each one gates and its value when nobody set it. One place: the
 * API asks by these names, and `npm run flags` refuses any other (a typo would otherwise set a flag nobody reads).
 */
export interface FlagSpec {
  name: string;
  /** Its answer when the store holds no rule for it (a fresh Redis, or before anyone set it). */
  default: boolean;
  description: string;
}

export const flagCatalog = {
  holdBestAvailable: {
    name: 'hold-best-available',
    default: true,
    description:
      'holds by quantity, best available (POST /v1/events/{eventId}/holds with a quantity, general admission included): off answers 503 SS_ERR_FEATURE_DISABLED',
  },
} as const satisfies Record<string, FlagSpec>;

export const knownFlags: readonly FlagSpec[] = Object.values(flagCatalog);
export const flagSpec = (name: string): FlagSpec | undefined => knownFlags.find((f) => f.name === name);
