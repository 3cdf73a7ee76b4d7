/**
 * Every task module of the library, registered in one place. To add a domain: write src/envs/tasks/<domain>.ts
 * exporting `tasks: TaskDefinition[]` (see the comment block in ../task.ts), import it here and list it below.
 */
import { registerTask, type TaskDefinition } from "../task.js";
// classic control
import { tasks as acrobot } from "./acrobot.js";
import { tasks as cartpole } from "./cartpole.js";
import { tasks as pendulum } from "./pendulum.js";
import { tasks as pointMass } from "./point_mass.js";
import { tasks as reacher } from "./reacher.js";
// locomotion and manipulation
import { tasks as cheetah } from "./cheetah.js";
import { tasks as finger } from "./finger.js";
import { tasks as hopper } from "./hopper.js";
import { tasks as walker } from "./walker.js";

/** All task lists (the registry, `listTasks()` and `tdmpc env list` sort tasks by name). */
export const ALL_TASK_MODULES: ReadonlyArray<readonly TaskDefinition[]> = [
  pendulum,
  cartpole,
  acrobot,
  reacher,
  pointMass,
  cheetah,
  walker,
  hopper,
  finger,
];

for (const list of ALL_TASK_MODULES) for (const t of list) registerTask(t);
