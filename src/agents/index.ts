/** Agents: PETS (chapter 3); TD-MPC and TD-MPC2 follow in later chapters. */
export { runPets, PETS_DEFAULTS, type PetsConfig, type PetsEpisodeResult } from "./pets.js";
