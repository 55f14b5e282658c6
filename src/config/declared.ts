/**
 * The declarations src/config/types.ts derives the config's types from, re-exported as types only:
 * the whole file (TOP) and a profile, and the types of the parts the lower layers also use (points,
 * profile fields, checksums, binary command parts), taken where they are declared so that no type
 * goes round through the whole file to reach itself.
 */
export type { TOP } from './schema.js';
export type { PointConfig } from './items/bank-points.js';
export type { CommandFramePart } from './items/command.js';
export type { ProfileConfig } from './profiles/profile.js';
export type { ProfileField, ProfileFieldType, ProfileFormat } from './profiles/field.js';
export type { ChecksumType, ProfileChecksum } from './profiles/parts.js';
export type { ProfileSimulation } from './profiles/simulate.js';
