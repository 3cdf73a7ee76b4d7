/** Agents: PETS (chapter 3); TD-MPC and TD-MPC2 follow in later chapters. */
export { runPets, PETS_DEFAULTS, checkPetsConfig, type PetsConfig, type PetsEpisodeResult, type RunPetsOptions } from "./pets.js";
