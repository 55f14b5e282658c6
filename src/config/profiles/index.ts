/** Profiles (hardware/profiles/*.yaml): where they live, loading and checking them. */
export {
  isProfilePath,
  loadProfileFile,
  loadProfileText,
  profilePath,
  SHIPPED_PROFILES,
  type ProfileLoad,
} from './file.js';
export { checkProfile } from './profile.js';
